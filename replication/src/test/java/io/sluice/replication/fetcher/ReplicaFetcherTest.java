package io.sluice.replication.fetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.config.ThrottledReplicas;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.replication.quota.SteppedTime;
import io.sluice.storage.TopicPartitionId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replica fetcher against a scripted leader on a real socket: the fetch it sends (ReplicaState,
 * KIP-227 sessions), and what it does with each kind of answer (records, diverging epoch, offset
 * out of range, a lost session), and the follower replication throttle.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplicaFetcherTest {

    private static final int NODE_ID = 2;
    private static final long BROKER_EPOCH = 77;
    private static final int SESSION_ID = 4242;
    /** Long enough that a fetcher asking the leader under the partition lock would visibly block a remove. */
    private static final int SOCKET_TIMEOUT_MS = 60_000;

    private final FakeReplica a = new FakeReplica(new TopicPartitionId("t", 0), 0);
    private final FakeReplica b = new FakeReplica(new TopicPartitionId("t", 1), 0);
    private FakeLeader leader;
    private ReplicaFetcher fetcher;
    private final FetcherStats stats = new FetcherStats();
    private final SteppedTime time = new SteppedTime();
    private final ReplicationQuota quota = new ReplicationQuota(ReplicationQuota.Side.FOLLOWER, 11, 1, time);

    @AfterEach
    void stop() throws Exception {
        if (fetcher != null) {
            fetcher.shutdown();
        }
        if (leader != null) {
            leader.close();
        }
    }

    private void start(Function<AbstractRequest, ApiMessage> script, FakeReplica... replicas) throws Exception {
        leader = new FakeLeader(script);
        FetcherConfig config = new FetcherConfig(NODE_ID, () -> BROKER_EPOCH, 1, 1 << 20, 10 << 20, 20, 1, 50,
                SOCKET_TIMEOUT_MS);
        fetcher = new ReplicaFetcher(1, 0, config, id -> Optional.of(leader.address()), stats, quota);
        for (FakeReplica r : replicas) {
            fetcher.add(r);
        }
        fetcher.start();
    }

    @Test
    void aFollowerOpensASessionThenNamesOnlyThePartitionsWhosePositionMoved() throws Exception {
        int[] fetches = {0};
        start(req -> {
            fetches[0]++;
            FetchResponseData resp = session(Errors.NONE);
            if (fetches[0] == 1) {
                resp.responses().add(topic(partition(0, records(0, 5), 5), partition(1, MemoryRecords.EMPTY, 0)));
            }
            return resp;
        }, a, b);

        FetchRequestData first = ((FetchRequest) leader.next()).data();
        assertThat(first.replicaState().replicaId()).isEqualTo(NODE_ID);
        assertThat(first.replicaState().replicaEpoch()).isEqualTo(BROKER_EPOCH);
        assertThat(first.sessionId()).as("a full fetch opens the session").isZero();
        assertThat(first.sessionEpoch()).isZero();
        assertThat(fetchOffsets(first)).containsExactly(0L, 0L);

        FetchRequestData second = ((FetchRequest) leader.next()).data();
        assertThat(second.sessionId()).isEqualTo(SESSION_ID);
        assertThat(second.sessionEpoch()).isEqualTo(1);
        assertThat(fetchOffsets(second)).as("only partition 0 moved, to the end of what it got").containsExactly(5L);
        assertThat(a.logEndOffset()).isEqualTo(5);
        assertThat(a.highWatermark).isEqualTo(5);

        FetchRequestData third = ((FetchRequest) leader.next()).data();
        assertThat(third.sessionEpoch()).isEqualTo(2);
        assertThat(fetchOffsets(third)).as("an idle session names no partition").isEmpty();
        assertThat(stats.requests()).as("fetches sent").isGreaterThanOrEqualTo(2);
        assertThat(stats.bytes()).as("the 5 records' batch").isEqualTo(records(0, 5).sizeInBytes());
        assertThat(stats.failures()).isZero();
    }

    @Test
    void aSessionTheLeaderLostIsReopenedWithAFullFetch() throws Exception {
        int[] fetches = {0};
        start(req -> switch (++fetches[0]) {
            case 1 -> fullAnswer(); // a full fetch is answered for every partition, or the session is not opened
            case 2 -> session(Errors.FETCH_SESSION_ID_NOT_FOUND).setSessionId(0);
            default -> session(Errors.NONE);
        }, a, b);
        leader.next();
        assertThat(((FetchRequest) leader.next()).data().sessionEpoch()).isEqualTo(1);
        FetchRequestData reopened = ((FetchRequest) leader.next()).data();
        assertThat(reopened.sessionEpoch()).as("a new session").isZero();
        assertThat(fetchOffsets(reopened)).as("with every partition").hasSize(2);
    }

    @Test
    void aDivergingEpochTruncatesTheReplicaByEpoch() throws Exception {
        start(req -> {
            FetchResponseData resp = session(Errors.NONE);
            FetchResponseData.PartitionData p = partition(0, MemoryRecords.EMPTY, 3);
            p.divergingEpoch().setEpoch(4).setEndOffset(7);
            resp.responses().add(topic(p));
            return resp;
        }, a);
        leader.next();
        leader.next();
        assertThat(a.divergences()).first().isEqualTo("4@7");
        assertThat(a.logEndOffset()).as("nothing appended from a diverging answer").isZero();
    }

    @Test
    void anOffsetPastTheLeadersEndTruncatesToItAndOneBelowItsStartRestartsThere() throws Exception {
        FakeReplica ahead = new FakeReplica(new TopicPartitionId("t", 0), 100);
        FakeReplica behind = new FakeReplica(new TopicPartitionId("t", 1), 10);
        int[] fetches = {0};
        start(req -> req instanceof ListOffsetsRequest lo ? offsets(lo, 50, 40)
                : ++fetches[0] == 1 ? outOfRange(0, 1) : session(Errors.NONE), ahead, behind);
        await(() -> ahead.logEndOffset() == 50 && behind.logEndOffset() == 40);
        assertThat(ahead.truncations()).containsExactly("to 50");
        assertThat(behind.truncations()).containsExactly("fully, start at 40");
    }

    @Test
    void aPartitionIsRemovedWhileTheFetcherAsksTheLeaderForItsOffsetsAndIsNotResetAfterwards() throws Exception {
        FakeReplica ahead = new FakeReplica(new TopicPartitionId("t", 0), 100);
        CountDownLatch removed = new CountDownLatch(1);
        int[] fetches = {0};
        start(req -> {
            if (req instanceof ListOffsetsRequest lo) {
                awaitLatch(removed); // the answer waits until the test removed the partition
                return offsets(lo, 50, 0);
            }
            return ++fetches[0] == 1 ? outOfRange(0) : session(Errors.NONE);
        }, ahead, b);
        leader.next();
        assertThat(leader.next()).isInstanceOf(ListOffsetsRequest.class);
        fetcher.remove(ahead.topicPartition()); // returns although the leader has not answered
        removed.countDown();
        assertThat(leader.next()).as("the fetcher went on with the other partition").isInstanceOf(FetchRequest.class);
        assertThat(ahead.truncations()).as("a removed partition is not touched").isEmpty();
    }

    @Test
    void aLaggingThrottledPartitionIsLeftOutWhileTheFollowerQuotaIsExceeded() throws Exception {
        quota.updateRate(10); // bytes/s: one batch of 5 records takes it over for many seconds
        quota.setThrottled(Map.of("t", new ThrottledReplicas.Partitions(false, java.util.Set.of(0))));
        int[] fetches = {0};
        start(req -> {
            FetchResponseData resp = session(Errors.NONE);
            if (++fetches[0] == 1) { // partition 0 gets records but stays behind the leader's high watermark
                resp.responses().add(topic(partition(0, records(0, 5), 100), partition(1, MemoryRecords.EMPTY, 0)));
            }
            return resp;
        }, a, b);
        assertThat(fetchOffsets(((FetchRequest) leader.next()).data())).containsExactly(0L, 0L);
        FetchRequestData throttled = ((FetchRequest) leader.next()).data();
        assertThat(throttled.forgottenTopicsData()).as("partition 0 leaves the session")
                .anySatisfy(f -> assertThat(f.partitions()).containsExactly(0));
        assertThat(quota.recordedBytes()).as("the throttled partition's bytes").isEqualTo(records(0, 5).sizeInBytes());
        assertThat(quota.throttledPartitions()).isPositive();

        time.step(11_000); // every sample of the quota window has passed
        FetchRequestData resumed;
        do {
            resumed = ((FetchRequest) leader.next()).data();
        } while (fetchOffsets(resumed).isEmpty());
        assertThat(fetchOffsets(resumed)).as("partition 0 is fetched again from where it was").containsExactly(5L);
    }

    @Test
    void aThrottledPartitionInSyncWithTheLeaderIsNeverLeftOut() throws Exception {
        quota.updateRate(10);
        quota.setThrottled(Map.of("t", ThrottledReplicas.Partitions.ALL));
        int[] fetches = {0};
        start(req -> {
            FetchResponseData resp = session(Errors.NONE);
            if (++fetches[0] == 1) { // partition 0 reaches the leader's high watermark
                resp.responses().add(topic(partition(0, records(0, 5), 5)));
            } else if (fetches[0] == 3) {
                resp.responses().add(topic(partition(0, records(5, 5), 10)));
            }
            return resp;
        }, a);
        leader.next();
        leader.next();
        await(() -> a.logEndOffset() == 10);
        assertThat(quota.isQuotaExceeded()).isTrue();
        assertThat(quota.throttledPartitions()).isZero();
    }

    // ---- the script's answers ----------------------------------------------------------------

    private static FetchResponseData session(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(SESSION_ID);
    }

    private static FetchResponseData.FetchableTopicResponse topic(FetchResponseData.PartitionData... partitions) {
        FetchResponseData.FetchableTopicResponse t = new FetchResponseData.FetchableTopicResponse().setTopicId(
                new Uuid(FakeReplica.TOPIC_ID.getMostSignificantBits(), FakeReplica.TOPIC_ID.getLeastSignificantBits()));
        t.partitions().addAll(List.of(partitions));
        return t;
    }

    private static FetchResponseData.PartitionData partition(int index, MemoryRecords records, long highWatermark) {
        return new FetchResponseData.PartitionData().setPartitionIndex(index).setHighWatermark(highWatermark)
                .setLogStartOffset(0).setRecords(records);
    }

    /** A full answer for partitions 0 and 1: nothing new. */
    private static FetchResponseData fullAnswer() {
        return outOfRange();
    }

    /** A full answer for partitions 0 and 1, the given ones OFFSET_OUT_OF_RANGE. */
    private static FetchResponseData outOfRange(int... partitions) {
        FetchResponseData resp = session(Errors.NONE);
        FetchResponseData.FetchableTopicResponse t = topic(partition(0, MemoryRecords.EMPTY, 0),
                partition(1, MemoryRecords.EMPTY, 0));
        for (int p : partitions) {
            t.partitions().get(p).setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        resp.responses().add(t);
        return resp;
    }

    /** ListOffsets: the log end for LATEST, the log start for EARLIEST. */
    private static ListOffsetsResponseData offsets(ListOffsetsRequest req, long end, long start) {
        ListOffsetsResponseData resp = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic t : req.data().topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr = new ListOffsetsResponseData.ListOffsetsTopicResponse()
                    .setName(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                tr.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setTimestamp(-1)
                        .setOffset(p.timestamp() == ListOffsetsRequest.LATEST_TIMESTAMP ? end : start));
            }
            resp.topics().add(tr);
        }
        return resp;
    }

    private static MemoryRecords records(long baseOffset, int count) {
        SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            rs[i] = new SimpleRecord(("v" + i).getBytes());
        }
        return MemoryRecords.withRecords(baseOffset, Compression.NONE, 3, rs);
    }

    private static List<Long> fetchOffsets(FetchRequestData req) {
        List<Long> out = new ArrayList<>();
        req.topics().forEach(t -> t.partitions().forEach(p -> out.add(p.fetchOffset())));
        return out;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(10);
        }
    }

    /** An in-memory follower replica: offsets only, and a record of what the fetcher told it. */
    static final class FakeReplica implements FollowerReplica {
        static final UUID TOPIC_ID = new UUID(1, 2);
        private final TopicPartitionId tp;
        private long logEndOffset;
        private int lastFetchedEpoch = RecordBatch.NO_PARTITION_LEADER_EPOCH;
        volatile long highWatermark;
        private final List<String> divergences = new ArrayList<>();
        private final List<String> truncations = new ArrayList<>();

        FakeReplica(TopicPartitionId tp, long logEndOffset) {
            this.tp = tp;
            this.logEndOffset = logEndOffset;
        }

        @Override public TopicPartitionId topicPartition() { return tp; }
        @Override public UUID topicId() { return TOPIC_ID; }
        @Override public int leaderEpoch() { return 5; }
        @Override public synchronized long logEndOffset() { return logEndOffset; }
        @Override public long logStartOffset() { return 0; }
        @Override public synchronized int lastFetchedEpoch() { return lastFetchedEpoch; }

        @Override
        public synchronized short appendFromLeader(ByteBuffer batches, long leaderHighWatermark, long leaderLogStartOffset) {
            for (RecordBatch batch : MemoryRecords.readableRecords(batches).batches()) {
                logEndOffset = batch.lastOffset() + 1;
                lastFetchedEpoch = batch.partitionLeaderEpoch();
            }
            highWatermark = Math.min(leaderHighWatermark, logEndOffset);
            return 0;
        }

        @Override
        public synchronized void truncateToDivergence(int divergingEpoch, long divergingEndOffset) {
            divergences.add(divergingEpoch + "@" + divergingEndOffset);
        }

        @Override
        public synchronized void truncateFullyAndStartAt(long offset) {
            truncations.add("fully, start at " + offset);
            logEndOffset = offset;
        }

        @Override
        public synchronized void truncateTo(long offset) {
            truncations.add("to " + offset);
            logEndOffset = offset;
        }

        synchronized List<String> divergences() { return List.copyOf(divergences); }
        synchronized List<String> truncations() { return List.copyOf(truncations); }
    }
}
