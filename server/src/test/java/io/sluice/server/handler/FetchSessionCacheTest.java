package io.sluice.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.MetadataImage;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KIP-227 session rules: open on epoch 0, incremental updates, only changed partitions answered. */
@Timeout(10)
class FetchSessionCacheTest {

    private static final Uuid TOPIC = Uuid.randomUuid();
    private static final MetadataImage IMAGE = MetadataImage.empty("test-cluster");
    private static final FetchSessionCache.Resolver RESOLVER = (name, id, fp, image, byId) ->
            new FetchHandler.Target(name, id, fp.partition(), fp.fetchOffset(), fp.partitionMaxBytes(), -1, -1, -1, Errors.NONE,
                    null);

    private static FetchRequestData request(int sessionId, int epoch, int... partitions) {
        FetchRequestData req = new FetchRequestData().setSessionId(sessionId).setSessionEpoch(epoch);
        FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopicId(TOPIC);
        for (int p : partitions) {
            t.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(0).setPartitionMaxBytes(100));
        }
        if (partitions.length > 0) {
            req.topics().add(t);
        }
        return req;
    }

    private static PartitionData data(int partition, long hw, boolean records) {
        return new PartitionData().setPartitionIndex(partition).setHighWatermark(hw).setLogStartOffset(0)
                .setRecords(records ? MemoryRecords.withRecords(Compression.NONE,
                        new SimpleRecord("x".getBytes())) : MemoryRecords.EMPTY);
    }

    @Test
    void fullFetchOpensSessionAndIncrementalAnswersOnlyChanges() {
        FetchSessionCache cache = new FetchSessionCache(10);
        FetchSessionCache.Plan full = cache.plan(request(0, 0, 0, 1), (short) 17, IMAGE, RESOLVER);
        assertThat(full.sessionId()).isPositive();
        assertThat(full.targets()).hasSize(2);
        for (FetchHandler.Target t : full.targets()) {
            assertThat(full.include(t, data(t.partition(), 5, false))).as("full answers all").isTrue();
        }
        FetchSessionCache.Plan inc = cache.plan(request(full.sessionId(), 1), (short) 17, IMAGE, RESOLVER);
        assertThat(inc.error()).isZero();
        assertThat(inc.targets()).as("session remembers partitions").hasSize(2);
        FetchHandler.Target p0 = inc.targets().get(0);
        FetchHandler.Target p1 = inc.targets().get(1);
        assertThat(inc.include(p0, data(0, 5, false))).as("nothing changed").isFalse();
        assertThat(inc.include(p1, data(1, 6, false))).as("high watermark moved").isTrue();
        FetchSessionCache.Plan inc2 = cache.plan(request(full.sessionId(), 2), (short) 17, IMAGE, RESOLVER);
        assertThat(inc2.include(inc2.targets().get(0), data(0, 5, true))).as("records").isTrue();
    }

    @Test
    void aDivergingEpochOrAPreferredReadReplicaIsAnsweredThoughNothingElseChanged() {
        FetchSessionCache cache = new FetchSessionCache(10);
        FetchSessionCache.Plan full = cache.plan(request(0, 0, 0), (short) 17, IMAGE, RESOLVER);
        full.include(full.targets().get(0), data(0, 5, false));
        FetchSessionCache.Plan inc = cache.plan(request(full.sessionId(), 1), (short) 17, IMAGE, RESOLVER);
        PartitionData diverging = data(0, 5, false);
        diverging.divergingEpoch().setEpoch(3).setEndOffset(4);
        assertThat(inc.include(inc.targets().get(0), diverging)).as("a follower must learn it has to truncate").isTrue();
        FetchSessionCache.Plan inc2 = cache.plan(request(full.sessionId(), 2), (short) 17, IMAGE, RESOLVER);
        assertThat(inc2.include(inc2.targets().get(0), data(0, 5, false).setPreferredReadReplica(2)))
                .as("a consumer must learn where to read from").isTrue();
    }

    @Test
    void wrongEpochAndUnknownSessionAreErrors() {
        FetchSessionCache cache = new FetchSessionCache(10);
        int id = cache.plan(request(0, 0, 0), (short) 17, IMAGE, RESOLVER).sessionId();
        assertThat(cache.plan(request(id, 5), (short) 17, IMAGE, RESOLVER).error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(cache.plan(request(id + 1, 1), (short) 17, IMAGE, RESOLVER).error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    @Test
    void aSessionOpenedByTopicIdCannotBeContinuedByNameNorTheReverse() {
        FetchSessionCache cache = new FetchSessionCache(10);
        int byId = cache.plan(request(0, 0, 0), (short) 17, IMAGE, RESOLVER).sessionId();
        FetchSessionCache.Plan continuedByName = cache.plan(request(byId, 1), (short) 12, IMAGE, RESOLVER);
        assertThat(continuedByName.error()).isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        assertThat(continuedByName.targets()).isEmpty();

        int byName = cache.plan(request(0, 0, 0), (short) 12, IMAGE, RESOLVER).sessionId();
        assertThat(cache.plan(request(byName, 1), (short) 13, IMAGE, RESOLVER).error())
                .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        assertThat(cache.plan(request(byName, 1), (short) 12, IMAGE, RESOLVER).error()).as("same kind continues").isZero();
    }

    @Test
    void forgottenTopicsLeaveTheSessionAndFinalEpochClosesIt() {
        FetchSessionCache cache = new FetchSessionCache(10);
        int id = cache.plan(request(0, 0, 0, 1), (short) 17, IMAGE, RESOLVER).sessionId();
        FetchRequestData forget = request(id, 1);
        forget.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopicId(TOPIC).setPartitions(List.of(1)));
        assertThat(cache.plan(forget, (short) 17, IMAGE, RESOLVER).targets()).hasSize(1);
        FetchSessionCache.Plan last = cache.plan(request(id, -1, 0), (short) 17, IMAGE, RESOLVER);
        assertThat(last.sessionId()).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void cacheIsBoundedBySlots() {
        FetchSessionCache cache = new FetchSessionCache(2);
        for (int i = 0; i < 5; i++) {
            cache.plan(request(0, 0, 0), (short) 17, IMAGE, RESOLVER);
        }
        assertThat(cache.size()).isEqualTo(2);
        assertThat(new FetchSessionCache(0).plan(request(0, 0, 0), (short) 17, IMAGE, RESOLVER).sessionId())
                .as("no slots: sessionless").isZero();
    }
}
