package io.sluice.server.group.share;

import io.sluice.server.network.InterBrokerSender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.group.MemoryGroupLog;
import io.sluice.server.group.runtime.GroupConfigLookup;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share-partition state through {@code __share_group_state}: restart, reset, delete. */
class ShareStateStoreTest {

    private static final int NODE_ID = 1;
    /** Every state partition is led here in these tests: nothing is sent to another broker. */
    private static final InterBrokerSender NO_OTHER_BROKERS = new InterBrokerSender(id -> Optional.empty(), 1000, 1, "test");

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final MemoryGroupLog log = new MemoryGroupLog();
    private final Object incarnation = new Object();
    private boolean topicExists = true;
    private boolean ledElsewhere;
    private final Set<Uuid> deletedTopics = new HashSet<>();
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
            public int leader(int partition) {
                return ledElsewhere ? NODE_ID + 1 : NODE_ID;
            }

            @Override
            public boolean topicExists(Uuid topicId) {
                return !deletedTopics.contains(topicId);
            }
        };
    }

    private SharePartitionManager manager() {
        return new SharePartitionManager(ShareGroupConfig.defaults(), GroupConfigLookup.NONE,
                new ShareStatePersister(new ShareStateStore(partitions(), 1, NODE_ID, clock::get), NO_OTHER_BROKERS), clock::get);
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
        assertThat(m.reset(key, 3).join()).isEqualTo(Errors.NONE.code());
        SharePartition reset = m.get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(reset).isNotSameAs(sp);
        assertThat(reset.startOffset()).isEqualTo(3);
        assertThat(new ShareStateStore(partitions(), 1, NODE_ID, clock::get).read(key, -1).snapshot().stateEpoch())
                .as("a reset with no state before starts at state epoch 1, above a new share-partition's 0").isEqualTo(1);
        assertThat(m.persist(key, sp).join()).as("the old share-partition may not write")
                .isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(m.persister().delete("g", List.of(key)).join().get(key)).isEqualTo(Errors.NONE.code());
        assertThat(new ShareStateStore(partitions(), 1, NODE_ID, clock::get).read(key, -1).snapshot()).isNull();
        assertThat(m.persist(key, reset).join()).as("a deleted state is not written back")
                .isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(new ShareStateStore(partitions(), 1, NODE_ID, clock::get).read(key, -1).snapshot()).isNull();
    }

    @Test
    void aStatePartitionStillBeingCreatedIsLoadingAndOneLedByAnUnreachableBrokerIsNotAvailable() {
        topicExists = false;
        assertThat(manager().get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(0)).error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        topicExists = true;
        ledElsewhere = true;
        SharePartitionManager m = manager();
        // The read goes to the other broker, which has no endpoint: loading until the send fails.
        await().atMost(Duration.ofSeconds(10)).until(() ->
                m.get(key, incarnation, 0, SharePartitionManager.StartOffsets.at(0)).error() == Errors.COORDINATOR_NOT_AVAILABLE);
    }

    @Test
    void writesAreFencedByOlderStateAndLeaderEpochsAndMergeIntoTheStoredRuns() {
        ShareStateStore store = new ShareStateStore(partitions(), 1, NODE_ID, clock::get);
        SharePartition.StateBatch acked = new SharePartition.StateBatch(10, 12, SharePartition.RecordState.ACKNOWLEDGED, (short) 1);
        SharePartition.StateBatch available = new SharePartition.StateBatch(13, 19, SharePartition.RecordState.AVAILABLE, (short) 1);
        assertThat(store.write(key, new ShareStateStore.Write(2, 5, 10, List.of(acked))).join())
                .as("no state to write to: initialized first").isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(store.initialize(key, 2, 10).join()).isZero();
        // Overlapping runs in one write: the later one wins where they overlap.
        SharePartition.StateBatch overlapped = new SharePartition.StateBatch(12, 13, SharePartition.RecordState.AVAILABLE, (short) 1);
        assertThat(store.write(key, new ShareStateStore.Write(2, 5, 10, List.of(overlapped, acked, available))).join()).isZero();
        assertThat(store.write(key, new ShareStateStore.Write(1, 5, 10, List.of())).join())
                .isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(store.write(key, new ShareStateStore.Write(2, 4, 10, List.of())).join())
                .isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        // A write of only the runs that changed (as Kafka's leaders send): 15-16 archived, the rest kept.
        SharePartition.StateBatch archived = new SharePartition.StateBatch(15, 16, SharePartition.RecordState.ARCHIVED, (short) 3);
        assertThat(store.write(key, new ShareStateStore.Write(2, 6, 11, List.of(archived))).join()).isZero();
        assertThat(store.read(key, 5).error()).as("a leader older than the last writer").isEqualTo(Errors.FENCED_LEADER_EPOCH);
        ShareStateRecords.Snapshot s = store.read(key, 7).snapshot();
        assertThat(s.startOffset()).isEqualTo(11);
        assertThat(s.snapshotEpoch()).isEqualTo(2);
        assertThat(store.write(key, new ShareStateStore.Write(2, 6, 11, List.of())).join())
                .as("the leader at epoch 7 read the state: the one at 6 is fenced").isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(store.write(key, new ShareStateStore.Write(-1, -1, -1, List.of())).join()).isZero();
        assertThat(store.read(key, -1).snapshot().startOffset()).as("-1 keeps the start offset").isEqualTo(11);
        assertThat(s.batches()).containsExactly(
                new SharePartition.StateBatch(11, 12, SharePartition.RecordState.ACKNOWLEDGED, (short) 1),
                new SharePartition.StateBatch(13, 14, SharePartition.RecordState.AVAILABLE, (short) 1),
                archived,
                new SharePartition.StateBatch(17, 19, SharePartition.RecordState.AVAILABLE, (short) 1));
        assertThat(ShareStatePersister.Summary.of(store.read(key, -1)).deliveryCompleteCount()).isEqualTo(4);
    }

    @Test
    void initializeStartsAfreshUnlessTheStateIsNewerAndDeletingNoStateWritesNothing() {
        ShareStateStore store = new ShareStateStore(partitions(), 1, NODE_ID, clock::get);
        assertThat(store.delete(key).join()).isZero();
        assertThat(log.records).as("no tombstone for a state that never was").isEmpty();
        assertThat(store.initialize(key, 3, 10).join()).isZero();
        assertThat(store.write(key, new ShareStateStore.Write(3, 0, 10, List.of(
                new SharePartition.StateBatch(10, 11, SharePartition.RecordState.AVAILABLE, (short) 2)))).join()).isZero();
        assertThat(store.initialize(key, 2, 0).join()).isEqualTo(Errors.FENCED_STATE_EPOCH.code());
        assertThat(store.initialize(key, 4, 7).join()).isZero();
        ShareStateRecords.Snapshot s = store.read(key, -1).snapshot();
        assertThat(s.stateEpoch()).isEqualTo(4);
        assertThat(s.startOffset()).isEqualTo(7);
        assertThat(s.batches()).isEmpty();
    }

    @Test
    void aLeadershipLostAndRegainedReadsTheStateAgain() {
        SharePartitionManager m = manager();
        Object replica = new Object(); // the broker keeps one replica object across its leaderships
        SharePartition first = m.get(key, replica, 1, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(m.get(key, replica, 1, SharePartitionManager.StartOffsets.at(10)).partition()).isSameAs(first);
        SharePartition regained = m.get(key, replica, 3, SharePartitionManager.StartOffsets.at(10)).partition();
        assertThat(regained).isNotNull().isNotSameAs(first);
        assertThat(m.persist(key, first).join()).as("the old leadership's share-partition may not write")
                .isEqualTo(Errors.FENCED_STATE_EPOCH.code());
    }

    @Test
    void theStatesOfADeletedTopicAreDeletedNowOrWhenTheirStatePartitionIsLoaded() {
        ShareStateStore store = new ShareStateStore(partitions(), 1, NODE_ID, clock::get);
        ShareStateRecords.Key other = new ShareStateRecords.Key("g", Uuid.randomUuid(), 0);
        ShareStateRecords.Key third = new ShareStateRecords.Key("g", Uuid.randomUuid(), 0);
        for (ShareStateRecords.Key k : List.of(key, other, third)) {
            assertThat(store.initialize(k, 0, 10).join()).isZero();
        }
        deletedTopics.add(key.topicId());
        store.deleteTopics(Set.of(key.topicId()));
        assertThat(store.read(key, -1).snapshot()).isNull();
        assertThat(log.records.get(log.records.size() - 1).value()).as("a tombstone").isNull();
        // Deleted while no store here had the state partition loaded: dropped at the next load.
        deletedTopics.add(other.topicId());
        ShareStateStore reloaded = new ShareStateStore(partitions(), 1, NODE_ID, clock::get);
        assertThat(reloaded.read(other, -1).snapshot()).isNull();
        assertThat(reloaded.read(third, -1).snapshot()).isNotNull();
        assertThat(new ShareStateStore(partitions(), 1, NODE_ID, clock::get).read(other, -1).snapshot())
                .as("the tombstone was written").isNull();
    }

    @Test
    void aFailedAppendLeavesTheStateAsItWas() {
        ShareStateStore store = new ShareStateStore(partitions(), 1, NODE_ID, clock::get);
        assertThat(store.initialize(key, 0, 10).join()).isZero();
        log.failWith = Errors.NOT_ENOUGH_REPLICAS.code();
        assertThat(store.initialize(key, 1, 50).join()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS.code());
        assertThat(store.delete(key).join()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS.code());
        ShareStateRecords.Snapshot s = store.read(key, -1).snapshot();
        assertThat(List.of(s.stateEpoch(), (int) s.startOffset())).containsExactly(0, 10);
    }

    @Test
    void aStatePartitionLedByAnotherBrokerIsNotCoordinatedHere() {
        ledElsewhere = true;
        assertThat(new ShareStateStore(partitions(), 1, NODE_ID, clock::get).read(key, -1).error()).isEqualTo(Errors.NOT_COORDINATOR);
    }
}
