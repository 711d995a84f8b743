package io.sluice.server.group.share;

import io.sluice.server.network.InterBrokerSender;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.CleanedGroupLog;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition of {@code __share_group_state} written many times, cleaned by storage's real log
 * cleaner: a new store reads the same latest state of each share-partition, and a deleted state
 * stays deleted while its tombstone is kept and after the cleaner removed it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShareStateCompactionTest {

    private static final long DELETE_RETENTION_MS = 60_000;

    @TempDir
    Path dir;

    private static final int NODE_ID = 1;
    /** Every state partition is led here in these tests: nothing is sent to another broker. */
    private static final InterBrokerSender NO_OTHER_BROKERS = new InterBrokerSender(id -> Optional.empty(), 1000, 1, "test");

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Object incarnation = new Object();
    private final ShareStateRecords.Key kept = new ShareStateRecords.Key("g", Uuid.randomUuid(), 0);
    private final ShareStateRecords.Key deleted = new ShareStateRecords.Key("g", Uuid.randomUuid(), 1);

    @Test
    void aCleanedStatePartitionReadsTheLatestStatesAndADeletedStateStaysDeleted() throws Exception {
        try (CleanedGroupLog log = new CleanedGroupLog(dir, ShareGroupConfig.STATE_TOPIC, 16 * 1024,
                DELETE_RETENTION_MS, 0, clock::get)) {
            SharePartitionManager m = manager(log);
            SharePartition sp = m.get(kept, incarnation, 0, SharePartitionManager.StartOffsets.at(0)).partition();
            acknowledge(m, sp, 0, 300);
            assertThat(m.persist(deleted, m.get(deleted, incarnation, 0, SharePartitionManager.StartOffsets.at(7)).partition()).join()).isZero();
            assertThat(m.persister().delete("g", List.of(deleted)).join().get(deleted)).isEqualTo(Errors.NONE.code());
            int written = log.records().size();

            assertThat(log.rollAndClean()).isPositive();
            assertThat(log.records().size()).as("records left of %d", written).isLessThan(5);
            assertThat(log.records()).as("the tombstone is kept until its horizon").anyMatch(r -> r.value() == null);
            assertThat(log.offsetSpan()).isGreaterThan(log.records().size());
            assertState(log, 300);

            clock.addAndGet(DELETE_RETENTION_MS + 1000);
            acknowledge(m, sp, 300, 400);
            assertThat(log.rollAndClean()).isPositive();
            assertThat(log.records()).as("tombstones past their horizon are removed").noneMatch(r -> r.value() == null)
                    .hasSize(1);
            assertState(log, 400);
        }
    }

    /** Acquires and accepts records {@code from} to {@code to}, one at a time, persisting the state after each. */
    private void acknowledge(SharePartitionManager m, SharePartition sp, int from, int to) {
        for (int i = from; i < to; i++) {
            sp.acquire("a", new long[] {i}, 1, i + 1);
            sp.acknowledge("a", i, i, List.of(SharePartition.ACCEPT));
            assertThat(m.persist(kept, sp).join()).isZero();
        }
    }

    private void assertState(CleanedGroupLog log, long startOffset) {
        ShareStateStore fresh = new ShareStateStore(partitions(log), 1, NODE_ID, clock::get);
        assertThat(fresh.read(kept, -1).snapshot().startOffset()).isEqualTo(startOffset);
        assertThat(fresh.read(deleted, -1).snapshot()).isNull();
    }

    private SharePartitionManager manager(CleanedGroupLog log) {
        return new SharePartitionManager(ShareGroupConfig.defaults(), GroupConfigLookup.NONE,
                new ShareStatePersister(new ShareStateStore(partitions(log), 1, NODE_ID, clock::get), NO_OTHER_BROKERS), clock::get);
    }

    private ShareStateStore.StatePartitions partitions(CleanedGroupLog log) {
        return new ShareStateStore.StatePartitions() {
            @Override
            public Led lookup(int partition) {
                return new Led(log, incarnation);
            }

            @Override
            public boolean ensureTopic() {
                return true;
            }

            @Override
            public int leader(int partition) {
                return NODE_ID;
            }

            @Override
            public boolean topicExists(Uuid topicId) {
                return true;
            }
        };
    }
}
