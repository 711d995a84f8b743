package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.replication.role.FollowerRole;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader and a follower partition on real logs, wired by hand as the fetcher and the quorum
 * would: the high watermark, acks=all, strict min ISR and truncation by leader epoch.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaderFollowerTest {

    private static final int LEADER = 1;
    private static final int FOLLOWER = 2;
    private static final long NOW_MS = 1_000_000;

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private final LogConfig config = LogConfig.fromBrokerProperties(Map.of());
    private final UUID topicId = UUID.randomUUID();

    @BeforeEach
    void start() throws Exception {
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), topic -> config);
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

    /** A batch of {@code records}, from an idempotent producer when {@code producerId} is not -1. */
    private static ByteBuffer batch(int records, long producerId) {
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = RecordBatchBuilder.create(0, now);
        if (producerId >= 0) {
            b.producer(producerId, (short) 0, 0);
        }
        for (int i = 0; i < records; i++) {
            b.add(null, new byte[10], now);
        }
        return b.build();
    }

    /** Copies what the leader has past the follower's end, as one fetch would, and reports the fetch. */
    private static void replicate(Partition leader, Partition follower) {
        try (LogReadResult r = leader.log().read(follower.logEndOffset(), 1 << 20, true, leader.logEndOffset())) {
            ByteBuffer copy = ByteBuffer.allocate(r.sizeInBytes()).put(r.records().duplicate()).flip();
            assertThat(follower.appendFromLeader(copy, leader.highWatermark(), leader.logStartOffset()))
                    .isEqualTo(ErrorCode.NONE);
        }
        leader.recordFollowerFetch(FOLLOWER, 7, follower.logEndOffset(), follower.logStartOffset(), NOW_MS);
    }

    @Test
    void acksAllCompletesOnlyOnceTheFollowerHasTheBatch() throws Exception {
        Partition leader = replica("a");
        Partition follower = replica("b");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        follower.becomeFollower(LEADER, 1);

        CompletableFuture<Partition.Append> acked = leader.append(batch(3, -1), (short) -1, 30_000).toCompletableFuture();
        assertThat(acked).isNotDone();
        assertThat(leader.highWatermark()).as("no follower fetch yet").isZero();
        assertThat(leader.committedBytes()).isZero();

        replicate(leader, follower);
        assertThat(acked.get(5, TimeUnit.SECONDS).errorCode()).isEqualTo(ErrorCode.NONE);
        assertThat(leader.highWatermark()).isEqualTo(3);
        assertThat(leader.committedBytes()).isEqualTo(leader.appendedBytes());
        assertThat(follower.highWatermark()).as("learned on the next fetch").isZero();
        replicate(leader, follower);
        assertThat(follower.highWatermark()).isEqualTo(3);
    }

    @Test
    void acks1IsAnsweredAfterTheLeaderAppendAlone() {
        Partition leader = replica("a");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        CompletableFuture<Partition.Append> acked = leader.append(batch(2, -1), (short) 1, 30_000).toCompletableFuture();
        assertThat(acked).isCompleted();
        assertThat(acked.join().lastOffset()).isEqualTo(1);
        assertThat(leader.highWatermark()).isZero();
    }

    @Test
    void aLeaderBelowMinIsrRefusesAcksAllAndDoesNotAdvanceTheHighWatermark() {
        Partition leader = replica("a");
        leader.setMinInsyncReplicas(2);
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER}, NOW_MS);
        assertThat(leader.append(batch(1, -1), (short) -1, 30_000).toCompletableFuture().join().errorCode())
                .isEqualTo(ErrorCode.NOT_ENOUGH_REPLICAS);
        assertThat(leader.append(batch(1, -1), (short) 1, 30_000).toCompletableFuture().join().errorCode())
                .isEqualTo(ErrorCode.NONE);
        assertThat(leader.highWatermark()).as("strict min ISR: an ISR of one commits nothing").isZero();
    }

    @Test
    void anAcksAllWaiterGetsNotEnoughReplicasAfterAppendWhenTheIsrShrinksBelowMin() throws Exception {
        Partition leader = replica("a");
        leader.setMinInsyncReplicas(2);
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        CompletableFuture<Partition.Append> acked = leader.append(batch(1, -1), (short) -1, 30_000).toCompletableFuture();
        leader.becomeLeader(LEADER, 1, 2, new int[] {LEADER, FOLLOWER}, new int[] {LEADER}, NOW_MS);
        assertThat(acked.get(5, TimeUnit.SECONDS).errorCode()).isEqualTo(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    }

    @Test
    void anAcksAllWaiterTimesOutWithRequestTimedOut() throws Exception {
        Partition leader = replica("a");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        CompletableFuture<Partition.Append> acked = leader.append(batch(1, -1), (short) -1, 50).toCompletableFuture();
        assertThat(acked.get(5, TimeUnit.SECONDS).errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
    }

    @Test
    void losingLeadershipAnswersWaitersWithNotLeader() throws Exception {
        Partition leader = replica("a");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        CompletableFuture<Partition.Append> acked = leader.append(batch(1, -1), (short) -1, 30_000).toCompletableFuture();
        leader.becomeFollower(FOLLOWER, 2);
        assertThat(acked.get(5, TimeUnit.SECONDS).errorCode()).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        assertThat(leader.append(batch(1, -1), (short) 1, 30_000).toCompletableFuture().join().errorCode())
                .isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void theHighWatermarkNeverMovesBack() {
        Partition leader = replica("a");
        Partition follower = replica("b");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        follower.becomeFollower(LEADER, 1);
        leader.append(batch(4, -1), (short) 1, 30_000);
        replicate(leader, follower);
        assertThat(leader.highWatermark()).isEqualTo(4);
        leader.recordFollowerFetch(FOLLOWER, 7, 1, 0, NOW_MS); // a stale, reordered fetch offset
        assertThat(leader.highWatermark()).isEqualTo(4);
    }

    @Test
    void aTruncationBelowTheHighWatermarkLowersItSoTheLogGrowingBackIsNotExposedEarly() {
        Partition leader = replica("a");
        Partition follower = replica("b");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        follower.becomeFollower(LEADER, 1);
        leader.append(batch(2, -1), (short) 1, 30_000);
        leader.append(batch(3, -1), (short) 1, 30_000);
        replicate(leader, follower);
        replicate(leader, follower);
        assertThat(follower.highWatermark()).isEqualTo(5);

        // An unclean leader whose log ends at 2 (or a crash that cut an unflushed log) makes it cut.
        follower.becomeFollower(3, 2);
        follower.truncateTo(2);
        assertThat(follower.highWatermark()).isEqualTo(2);

        long now = System.currentTimeMillis();
        RecordBatchBuilder fromNewLeader = RecordBatchBuilder.create(2, now).partitionLeaderEpoch(2);
        for (int i = 0; i < 5; i++) {
            fromNewLeader.add(null, new byte[10], now);
        }
        assertThat(follower.appendFromLeader(fromNewLeader.build(), 3, 0)).isEqualTo(ErrorCode.NONE);
        assertThat(follower.logEndOffset()).isEqualTo(7);
        assertThat(follower.highWatermark()).as("the new leader's, not the old mark").isEqualTo(3);
    }

    @Test
    void aDeposedLeaderTruncatesExactlyItsDivergentSuffixByEpoch() {
        Partition old = replica("a");
        Partition next = replica("b");
        old.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        next.becomeFollower(LEADER, 1);
        old.append(batch(3, -1), (short) 1, 30_000);
        replicate(old, next); // offsets 0-2 at epoch 1 on both
        old.append(batch(2, -1), (short) 1, 30_000); // 3-4 at epoch 1, never replicated

        next.becomeLeader(FOLLOWER, 2, 2, new int[] {LEADER, FOLLOWER}, new int[] {FOLLOWER}, NOW_MS);
        next.append(batch(5, -1), (short) 1, 30_000); // 3-7 at epoch 2
        old.becomeFollower(FOLLOWER, 2);

        // The old leader fetches at 5 with last epoch 1; the new leader says epoch 1 ends at 3.
        var divergence = next.log().endOffsetForEpoch(old.lastFetchedEpoch());
        assertThat(divergence.endOffset()).isEqualTo(3);
        old.truncateToDivergence(divergence.epoch(), divergence.endOffset());
        assertThat(old.logEndOffset()).isEqualTo(3);
        replicate(next, old);
        assertThat(old.logEndOffset()).isEqualTo(8);
        assertThat(old.lastFetchedEpoch()).isEqualTo(2);
    }

    @Test
    void followersRebuildIdempotentProducerStateFromReplicatedBatches() {
        Partition leader = replica("a");
        Partition follower = replica("b");
        leader.becomeLeader(LEADER, 1, 1, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, NOW_MS);
        follower.becomeFollower(LEADER, 1);
        ByteBuffer first = batch(2, 42);
        leader.append(first.duplicate(), (short) 1, 30_000);
        replicate(leader, follower);

        follower.becomeLeader(FOLLOWER, 2, 2, new int[] {LEADER, FOLLOWER}, new int[] {FOLLOWER}, NOW_MS);
        Partition.Append retry = follower.append(first.duplicate(), (short) 1, 30_000).toCompletableFuture().join();
        assertThat(retry.duplicate()).as("a retry after failover is deduplicated").isTrue();
        assertThat(retry.baseOffset()).isZero();
        assertThat(follower.logEndOffset()).isEqualTo(2);
    }
}
