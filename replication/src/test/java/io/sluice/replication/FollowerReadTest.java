package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.replication.role.FollowerRole;
import io.sluice.replication.role.LeaderRole;
import io.sluice.replication.selector.ReplicaView;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.log.LogReadResult;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower serving consumers (KIP-392): it reads only below the high watermark it learned from
 * its leader, answers out-of-range offsets as Kafka's follower fetch does, and wakes parked
 * consumer fetches when that high watermark moves, not when uncommitted bytes arrive.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FollowerReadTest {

    private static final int LEADER = 1;
    private static final int FOLLOWER = 2;
    private static final long NOW_MS = 1_000_000;
    private static final int READ_MAX_BYTES = 1 << 20;

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final LogConfig config = LogConfig.fromBrokerProperties(Map.of());
    private final UUID topicId = UUID.randomUUID();
    private LogManager logs;
    private Partition leader;
    private Partition follower;

    @BeforeEach
    void start() {
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), topic -> config);
        leader = replica("a");
        follower = replica("b");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        follower.becomeFollower(LEADER, 1);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        logs.close();
    }

    private Partition replica(String topic) {
        TopicPartitionId tp = new TopicPartitionId(topic, 0);
        return new Partition(tp, topicId, logs.getOrCreate(tp, config), new FollowerRole(-1, -1),
                new DelayedProduces(timer));
    }

    private static ByteBuffer batch(int records) {
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = RecordBatchBuilder.create(0, now);
        for (int i = 0; i < records; i++) {
            b.add(null, new byte[10], now);
        }
        return b.build();
    }

    /**
     * One follower fetch: the leader's answer carries its high watermark as of before the fetch is
     * recorded, so the follower learns a high watermark one fetch late, as it does from a real leader.
     */
    private void replicate() {
        try (LogReadResult r = leader.readForFollower(follower.logEndOffset(), READ_MAX_BYTES, true)) {
            ByteBuffer copy = ByteBuffer.allocate(r.sizeInBytes()).put(r.records().duplicate()).flip();
            assertThat(follower.appendFromLeader(copy, leader.highWatermark(), leader.logStartOffset()))
                    .isEqualTo(ErrorCode.NONE);
        }
        leader.recordFollowerFetch(FOLLOWER, 7, follower.logEndOffset(), follower.logStartOffset(), NOW_MS);
    }

    private static int bytesRead(Partition p, long offset) {
        try (LogReadResult r = p.readCommitted(offset, READ_MAX_BYTES, true)) {
            assertThat(r.errorCode()).as("read at %d", offset).isEqualTo(ErrorCode.NONE);
            return r.sizeInBytes();
        }
    }

    private static short readError(Partition p, long offset) {
        try (LogReadResult r = p.readCommitted(offset, READ_MAX_BYTES, true)) {
            return r.errorCode();
        }
    }

    @Test
    void aFollowerServesConsumersOnlyBelowTheHighWatermarkItLearned() {
        ByteBuffer first = batch(3);
        int firstBytes = first.remaining();
        leader.append(first, (short) 1, 30_000);
        replicate();
        assertThat(follower.logEndOffset()).isEqualTo(3);
        assertThat(leader.highWatermark()).isEqualTo(3);
        assertThat(follower.highWatermark()).as("not learned yet").isZero();
        assertThat(bytesRead(follower, 0)).as("the follower has the batch but not its commit").isZero();

        replicate();
        assertThat(follower.highWatermark()).isEqualTo(3);
        assertThat(bytesRead(follower, 0)).isEqualTo(firstBytes);

        leader.append(batch(2), (short) 1, 30_000);
        replicate();
        assertThat(follower.logEndOffset()).isEqualTo(5);
        assertThat(follower.highWatermark()).isEqualTo(3);
        assertThat(bytesRead(follower, 0)).as("the read stops at the follower's high watermark").isEqualTo(firstBytes);
        assertThat(bytesRead(follower, 3)).as("between high watermark and log end: nothing yet, no error").isZero();
        assertThat(bytesRead(leader, 3)).as("the leader has it committed").isPositive();
    }

    @Test
    void offsetsOutsideTheFollowersLogAreOutOfRange() {
        leader.append(batch(3), (short) 1, 30_000);
        replicate();
        replicate();
        assertThat(readError(follower, 4)).as("past the follower's log end").isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(bytesRead(follower, 3)).as("at the log end: wait").isZero();

        leader.log().deleteRecords(2);
        replicate();
        assertThat(follower.logStartOffset()).as("learned from the leader").isEqualTo(2);
        assertThat(readError(follower, 1)).as("below the log start").isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThat(bytesRead(follower, 2)).isPositive();
    }

    @Test
    void aParkedConsumerOnAFollowerWakesWhenItsHighWatermarkMovesNotOnUncommittedBytes() {
        AtomicInteger wakeUps = new AtomicInteger();
        follower.addProgressListener(p -> wakeUps.incrementAndGet());
        long before = follower.committedBytes();

        ByteBuffer b = batch(4);
        int size = b.remaining();
        leader.append(b, (short) 1, 30_000);
        replicate();
        assertThat(follower.committedBytes()).as("appended, not committed: a parked consumer keeps waiting")
                .isEqualTo(before);

        int wakeUpsBefore = wakeUps.get();
        replicate();
        assertThat(wakeUps.get()).as("the high watermark move is announced").isGreaterThan(wakeUpsBefore);
        assertThat(follower.committedBytes() - before).isEqualTo(size);
    }

    @Test
    void aFollowerIsNeverOfferedAsReadReplicaBeforeItFetchedAndOnlyWhileInTheIsr() {
        leader.append(batch(3), (short) 1, 30_000);
        LeaderRole role = (LeaderRole) leader.role();
        assertThat(role.readReplicaCandidates(0, NOW_MS)).as("no fetch yet: its log end is unknown").isEmpty();
        replicate();
        assertThat(role.readReplicaCandidates(0, NOW_MS)).extracting(ReplicaView::brokerId).containsExactly(FOLLOWER);
        assertThat(role.readReplicaCandidates(4, NOW_MS)).as("it does not hold offset 4").isEmpty();

        leader.becomeLeader(LEADER, 1, 2, new int[] {LEADER, FOLLOWER}, new int[] {LEADER}, NOW_MS);
        assertThat(role.readReplicaCandidates(0, NOW_MS)).as("out of the ISR").isEmpty();
    }
}
