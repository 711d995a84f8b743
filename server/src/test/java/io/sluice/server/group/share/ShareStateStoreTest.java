package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.MemoryGroupLog;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share-partition state through {@code __share_group_state}: restart, reset, delete. */
class ShareStateStoreTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final MemoryGroupLog log = new MemoryGroupLog();
    private final Object incarnation = new Object();
    private boolean topicExists = true;
    private boolean ledElsewhere;
    private final ShareStateRecords.Key key = new ShareStateRecords.Key("g", Uuid.randomUuid(), 0);

    private ShareStateStore.StatePartitions partitions() {
        return new ShareStateStore.StatePartitions() {
            @Override
            public Led lookup(int partition) {
                return ledElsewhere ? null : new Led(log, incarnation);
            }

            @Override
            public boolean ensureTopic() {
                return topicExists;
            }

            @Override
            public boolean ledElsewhere(int partition) {
                return ledElsewhere;
            }
        };
    }

    private SharePartitionManager manager() {
        return new SharePartitionManager(ShareGroupConfig.defaults(), GroupConfigLookup.NONE, new ShareStateStore(partitions(), 1), clock::get);
    }

    @Test
    void acknowledgedRecordsSurviveARestartAndANewShareStartsAtTheHighWatermark() {
        SharePartitionManager m = manager();
        SharePartition sp = m.get(key, new Object(), 0, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(sp.startOffset()).isEqualTo(10);
        sp.acquire("a", new long[] {10, 11, 12}, 10, 13);
        sp.acknowledge("a", 10, 10, List.of(SharePartition.ACCEPT));
        sp.acknowledge("a", 12, 12, List.of(SharePartition.ACCEPT));
        assertThat(m.persist(key, sp).join()).isEqualTo(Errors.NONE.code());
        // A new broker process: the same log, new store and manager, the partition at a later HW.
        SharePartition back = manager().get(key, new Object(), 1, SharePartitionManager.StartOffsets.at(50)).partition();
        assertThat(back.startOffset()).isEqualTo(11);
        assertThat(back.state(11)).isEqualTo(SharePartition.RecordState.AVAILABLE);
        assertThat(back.state(12)).isEqualTo(SharePartition.RecordState.ACKNOWLEDGED);
        assertThat(back.deliveryCount(11)).isEqualTo(1);
    }

    @Test
    void resetAndDeleteReplaceTheState() {
        SharePartitionManager m = manager();
        SharePartition sp = m.get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(m.reset(key, 3, 0).join()).isEqualTo(Errors.NONE.code());
        SharePartition reset = m.get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(reset).isNotSameAs(sp);
        assertThat(reset.startOffset()).isEqualTo(3);
        assertThat(m.store().read(key).snapshot().stateEpoch()).isEqualTo(1);
        assertThat(m.persist(key, sp).join()).as("the old share-partition may not write")
                .isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(m.delete(key).join()).isEqualTo(Errors.NONE.code());
        assertThat(new ShareStateStore(partitions(), 1).read(key).snapshot()).isNull();
    }

    @Test
    void aStatePartitionNotLedHereIsAnError() {
        topicExists = false;
        assertThat(manager().get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(0)).error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        topicExists = true;
        ledElsewhere = true;
        assertThat(manager().get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(0)).error()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    }
}
