package io.sluice.server.group.it;

import static io.sluice.server.group.it.GroupClients.createTopic;
import static io.sluice.server.group.it.GroupClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.server.it.BrokerProcess;
import io.sluice.server.it.KafkaCli;
import io.sluice.server.network.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Share group requests on the wire, against a broker process: the session epochs, the acquired
 * records of a fetch, the share coordinator's state APIs, and each error code the share APIs
 * answer with.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShareWireTest {

    private static BrokerProcess broker;
    private static int correlation;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(ShareGroupProcessTest.BROKER_SETTINGS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static RawClient raw(BrokerProcess b) throws IOException {
        return new RawClient(new InetSocketAddress("localhost", b.clientPort()));
    }

    private static Uuid topicId(String topic) throws Exception {
        try (Admin admin = GroupClients.admin(broker.bootstrap())) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
        }
    }

    private static ShareFetchRequestData fetchRequest(String member, int epoch, Uuid topic, int maxWaitMs) {
        ShareFetchRequestData req = new ShareFetchRequestData().setGroupId("wg").setMemberId(member)
                .setShareSessionEpoch(epoch).setMaxWaitMs(maxWaitMs).setMinBytes(1).setMaxBytes(1 << 20)
                .setMaxRecords(100).setBatchSize(100);
        if (topic != null) {
            ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topic);
            t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
            req.topics().add(t);
        }
        return req;
    }

    private static ShareFetchResponseData fetch(RawClient c, ShareFetchRequestData req) throws IOException {
        c.send(ApiKeys.SHARE_FETCH.id, (short) 2, ++correlation, req);
        return c.read(ApiKeys.SHARE_FETCH.id, (short) 2, ShareFetchResponseData.class);
    }

    private static ShareAcknowledgeResponseData acknowledge(RawClient c, String member, int epoch, Uuid topic,
                                                            long first, long last, byte type) throws IOException {
        ShareAcknowledgeRequestData req = new ShareAcknowledgeRequestData().setGroupId("wg").setMemberId(member)
                .setShareSessionEpoch(epoch);
        ShareAcknowledgeRequestData.AcknowledgeTopic t = new ShareAcknowledgeRequestData.AcknowledgeTopic().setTopicId(topic);
        ShareAcknowledgeRequestData.AcknowledgePartition p = new ShareAcknowledgeRequestData.AcknowledgePartition()
                .setPartitionIndex(0);
        p.acknowledgementBatches().add(new ShareAcknowledgeRequestData.AcknowledgementBatch().setFirstOffset(first)
                .setLastOffset(last).setAcknowledgeTypes(List.of(type)));
        t.partitions().add(p);
        req.topics().add(t);
        c.send(ApiKeys.SHARE_ACKNOWLEDGE.id, (short) 2, ++correlation, req);
        return c.read(ApiKeys.SHARE_ACKNOWLEDGE.id, (short) 2, ShareAcknowledgeResponseData.class);
    }

    private static ShareFetchResponseData.PartitionData onlyPartition(ShareFetchResponseData r) {
        assertThat(r.responses()).hasSize(1);
        assertThat(r.responses().iterator().next().partitions()).hasSize(1);
        return r.responses().iterator().next().partitions().get(0);
    }

    @Test
    void sessionEpochsAcquiredRecordsAndAcknowledgementErrors() throws Exception {
        createTopic(broker.bootstrap(), "wire-a", 1);
        Uuid id = topicId("wire-a");
        try (RawClient c = raw(broker)) {
            // The share-partition starts at the log end once its state topic exists: warm up until
            // a record is acquired, and accept it (epoch 0 opened the session; each fetch moves it on).
            assertThat(fetch(c, fetchRequest("m1", 0, id, 0)).errorCode()).isZero();
            int epoch = 1;
            long base = -1;
            for (int i = 0; base < 0 && i < 60; i++) {
                produce(broker.bootstrap(), "wire-a", 1, 1_000_000 + i, 1);
                ShareFetchResponseData w = fetch(c, fetchRequest("m1", epoch++, null, 500));
                if (!w.responses().isEmpty() && !onlyPartition(w).acquiredRecords().isEmpty()) {
                    base = onlyPartition(w).acquiredRecords().get(0).lastOffset();
                }
            }
            assertThat(acknowledge(c, "m1", epoch++, id, base, base, (byte) 1).errorCode()).isZero();
            long b0 = base + 1;
            produce(broker.bootstrap(), "wire-a", 1, 0, 5);
            ShareFetchResponseData r = fetch(c, fetchRequest("m1", epoch++, null, 5000));
            ShareFetchResponseData.PartitionData pd = onlyPartition(r);
            assertThat(pd.acquiredRecords()).singleElement().satisfies(a -> {
                assertThat(a.firstOffset()).isEqualTo(b0);
                assertThat(a.lastOffset()).isEqualTo(b0 + 4);
                assertThat(a.deliveryCount()).isEqualTo((short) 1);
            });
            assertThat(r.acquisitionLockTimeoutMs()).isEqualTo(2000);
            // SHARE_SESSION_NOT_FOUND, INVALID_SHARE_SESSION_EPOCH
            assertThat(fetch(c, fetchRequest("nobody", 1, null, 0)).errorCode())
                    .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND.code());
            assertThat(fetch(c, fetchRequest("m1", 7, null, 0)).errorCode())
                    .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
            // Acknowledgements: another member's records, or ones never delivered: INVALID_RECORD_STATE.
            ShareAcknowledgeResponseData ack = acknowledge(c, "m1", epoch++, id, b0, b0 + 9, (byte) 1);
            assertThat(ack.errorCode()).isZero();
            assertThat(ack.responses().iterator().next().partitions().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_RECORD_STATE.code());
            ack = acknowledge(c, "m1", epoch++, id, b0, b0 + 1, (byte) 7);
            assertThat(ack.responses().iterator().next().partitions().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REQUEST.code());
            ack = acknowledge(c, "m1", epoch++, id, b0, b0 + 1, (byte) 2);
            assertThat(ack.responses().iterator().next().partitions().get(0).errorCode()).isZero();
            // Released records come back with delivery count 2, piggybacking the accept of the rest.
            ShareFetchRequestData next = fetchRequest("m1", epoch++, id, 5000);
            next.topics().iterator().next().partitions().iterator().next().acknowledgementBatches().add(
                    new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(b0 + 2).setLastOffset(b0 + 4)
                            .setAcknowledgeTypes(List.of((byte) 1)));
            pd = onlyPartition(fetch(c, next));
            assertThat(pd.acknowledgeErrorCode()).isZero();
            assertThat(pd.acquiredRecords()).singleElement().satisfies(a -> {
                assertThat(a.firstOffset()).isEqualTo(b0);
                assertThat(a.lastOffset()).isEqualTo(b0 + 1);
                assertThat(a.deliveryCount()).isEqualTo((short) 2);
            });
            // ShareAcknowledge in the initial epoch; the final epoch closes the session.
            assertThat(acknowledge(c, "m1", 0, id, b0, b0 + 1, (byte) 1).errorCode())
                    .isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH.code());
            assertThat(acknowledge(c, "m1", -1, id, b0, b0 + 1, (byte) 1).errorCode()).isZero();
            assertThat(acknowledge(c, "m1", epoch, id, b0, b0 + 1, (byte) 1).errorCode())
                    .isEqualTo(Errors.SHARE_SESSION_NOT_FOUND.code());
        }
    }

    @Test
    void badShareFetchesAndHeartbeatsGetKafkasErrors() throws Exception {
        try (RawClient c = raw(broker)) {
            ShareFetchRequestData withAcks = fetchRequest("m2", 0, Uuid.randomUuid(), 0);
            withAcks.topics().iterator().next().partitions().iterator().next().acknowledgementBatches().add(
                    new ShareFetchRequestData.AcknowledgementBatch().setFirstOffset(0).setLastOffset(0)
                            .setAcknowledgeTypes(List.of((byte) 1)));
            assertThat(fetch(c, withAcks).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(fetch(c, fetchRequest("", 0, null, 0)).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(fetch(c, fetchRequest("m2", 0, null, 0).setShareAcquireMode((byte) 5)).errorCode())
                    .isEqualTo(Errors.INVALID_REQUEST.code());
            ShareFetchResponseData unknown = fetch(c, fetchRequest("m2", 0, Uuid.randomUuid(), 0));
            assertThat(onlyPartition(unknown).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());

            c.send(ApiKeys.FIND_COORDINATOR.id, (short) 4, ++correlation, new FindCoordinatorRequestData()
                    .setKeyType((byte) 0).setCoordinatorKeys(List.of("wg")));
            c.read(ApiKeys.FIND_COORDINATOR.id, (short) 4, FindCoordinatorResponseData.class);
            short err = -1;
            for (int i = 0; i < 100 && err != Errors.UNKNOWN_MEMBER_ID.code(); i++) {
                c.send(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ++correlation, new ShareGroupHeartbeatRequestData()
                        .setGroupId("wg").setMemberId("ghost").setMemberEpoch(3));
                err = c.read(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ShareGroupHeartbeatResponseData.class).errorCode();
                Thread.sleep(err == Errors.UNKNOWN_MEMBER_ID.code() ? 0 : 200); // __consumer_offsets being created
            }
            assertThat(err).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
            c.send(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ++correlation, new ShareGroupHeartbeatRequestData()
                    .setGroupId("wg").setMemberId("m").setMemberEpoch(0));
            assertThat(c.read(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ShareGroupHeartbeatResponseData.class)
                    .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            c.send(ApiKeys.SHARE_GROUP_DESCRIBE.id, (short) 1, ++correlation, new ShareGroupDescribeRequestData()
                    .setGroupIds(List.of("no-such-group")));
            assertThat(c.read(ApiKeys.SHARE_GROUP_DESCRIBE.id, (short) 1, ShareGroupDescribeResponseData.class)
                    .groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

            // Offsets admin: an unknown group; a group with a member may not be altered or deleted.
            DescribeShareGroupOffsetsRequestData describe = new DescribeShareGroupOffsetsRequestData();
            describe.groups().add(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
                    .setGroupId("no-such-group").setTopics(null));
            c.send(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS.id, (short) 1, ++correlation, describe);
            assertThat(c.read(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS.id, (short) 1,
                    DescribeShareGroupOffsetsResponseData.class).groups().get(0).errorCode())
                    .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
            c.send(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ++correlation, new ShareGroupHeartbeatRequestData()
                    .setGroupId("wg").setMemberId("m").setMemberEpoch(0).setSubscribedTopicNames(List.of("t")));
            assertThat(c.read(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ShareGroupHeartbeatResponseData.class)
                    .errorCode()).isZero();
            AlterShareGroupOffsetsRequestData alter = new AlterShareGroupOffsetsRequestData().setGroupId("wg");
            AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic at =
                    new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName("no-such-topic");
            at.partitions().add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                    .setPartitionIndex(0).setStartOffset(0));
            alter.topics().add(at);
            c.send(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.id, (short) 0, ++correlation, alter);
            assertThat(c.read(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.id, (short) 0, AlterShareGroupOffsetsResponseData.class)
                    .errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
            c.send(ApiKeys.JOIN_GROUP.id, (short) 9, ++correlation, new JoinGroupRequestData().setGroupId("wg")
                    .setMemberId("").setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000));
            assertThat(c.read(ApiKeys.JOIN_GROUP.id, (short) 9, JoinGroupResponseData.class).errorCode())
                    .as("a classic join of a share group's id").isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
            DeleteShareGroupOffsetsRequestData delete = new DeleteShareGroupOffsetsRequestData().setGroupId("wg");
            delete.topics().add(new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                    .setTopicName("t"));
            c.send(ApiKeys.DELETE_SHARE_GROUP_OFFSETS.id, (short) 0, ++correlation, delete);
            assertThat(c.read(ApiKeys.DELETE_SHARE_GROUP_OFFSETS.id, (short) 0, DeleteShareGroupOffsetsResponseData.class)
                    .errorCode()).isEqualTo(Errors.NON_EMPTY_GROUP.code());
            c.send(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ++correlation, new ShareGroupHeartbeatRequestData()
                    .setGroupId("wg").setMemberId("m").setMemberEpoch(-1));
            c.read(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ShareGroupHeartbeatResponseData.class);
            c.send(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.id, (short) 0, ++correlation, alter);
            AlterShareGroupOffsetsResponseData altered = c.read(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.id, (short) 0,
                    AlterShareGroupOffsetsResponseData.class);
            assertThat(altered.errorCode()).isZero();
            assertThat(altered.responses().iterator().next().partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    private static <T extends org.apache.kafka.common.protocol.ApiMessage> T call(RawClient c, ApiKeys api, short version,
                                                                            org.apache.kafka.common.protocol.ApiMessage req,
                                                                            Class<T> response) throws IOException {
        c.send(api.id, version, ++correlation, req);
        return c.read(api.id, version, response);
    }

    private static WriteShareGroupStateRequestData write(String group, Uuid topic, int partition, int stateEpoch,
                                                         int leaderEpoch, long start,
                                                         WriteShareGroupStateRequestData.StateBatch... batches) {
        WriteShareGroupStateRequestData.PartitionData p = new WriteShareGroupStateRequestData.PartitionData()
                .setPartition(partition).setStateEpoch(stateEpoch).setLeaderEpoch(leaderEpoch).setStartOffset(start)
                .setStateBatches(List.of(batches));
        return new WriteShareGroupStateRequestData().setGroupId(group).setTopics(List.of(
                new WriteShareGroupStateRequestData.WriteStateData().setTopicId(topic).setPartitions(List.of(p))));
    }

    private static short writeError(RawClient c, WriteShareGroupStateRequestData req) throws IOException {
        return call(c, ApiKeys.WRITE_SHARE_GROUP_STATE, (short) 1, req, WriteShareGroupStateResponseData.class)
                .results().get(0).partitions().get(0).errorCode();
    }

    private static short initializeError(RawClient c, InitializeShareGroupStateRequestData req) throws IOException {
        return call(c, ApiKeys.INITIALIZE_SHARE_GROUP_STATE, (short) 0, req, InitializeShareGroupStateResponseData.class)
                .results().get(0).partitions().get(0).errorCode();
    }

    private static ReadShareGroupStateResponseData.PartitionResult read(RawClient c, String group, Uuid topic, int partition)
            throws IOException {
        ReadShareGroupStateRequestData req = new ReadShareGroupStateRequestData().setGroupId(group).setTopics(List.of(
                new ReadShareGroupStateRequestData.ReadStateData().setTopicId(topic).setPartitions(List.of(
                        new ReadShareGroupStateRequestData.PartitionData().setPartition(partition).setLeaderEpoch(3)))));
        return call(c, ApiKeys.READ_SHARE_GROUP_STATE, (short) 0, req, ReadShareGroupStateResponseData.class)
                .results().get(0).partitions().get(0);
    }

    private static WriteShareGroupStateRequestData.StateBatch batch(long first, long last, byte state, short count) {
        return new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(first).setLastOffset(last)
                .setDeliveryState(state).setDeliveryCount(count);
    }

    @Test
    void theShareCoordinatorApisKeepFenceAndDeleteStateAndRefuseBadInput() throws Exception {
        createTopic(broker.bootstrap(), "wire-coord", 1);
        Uuid id = topicId("wire-coord");
        try (RawClient c = raw(broker)) {
            // A state is initialized before it is written; the first request may find
            // __share_group_state still being created: loading, then done.
            InitializeShareGroupStateRequestData start = new InitializeShareGroupStateRequestData().setGroupId("cg")
                    .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(id)
                            .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                                    .setPartition(0).setStateEpoch(1).setStartOffset(5)))));
            short err = initializeError(c, start);
            for (int i = 0; i < 100 && err == Errors.COORDINATOR_LOAD_IN_PROGRESS.code(); i++) {
                Thread.sleep(100);
                err = initializeError(c, start);
            }
            assertThat(err).isZero();
            assertThat(writeError(c, write("cg", id, 0, 1, 3, 5, batch(5, 6, (byte) 2, (short) 1),
                    batch(7, 9, (byte) 0, (short) 2)))).isZero();
            ReadShareGroupStateResponseData.PartitionResult state = read(c, "cg", id, 0);
            assertThat(state.errorCode()).isZero();
            assertThat(state.stateEpoch()).isEqualTo(1);
            assertThat(state.startOffset()).isEqualTo(5);
            assertThat(state.stateBatches()).extracting(b -> b.firstOffset() + "-" + b.lastOffset() + ":"
                    + b.deliveryState() + "x" + b.deliveryCount()).containsExactly("5-6:2x1", "7-9:0x2");
            ReadShareGroupStateSummaryRequestData summary = new ReadShareGroupStateSummaryRequestData().setGroupId("cg")
                    .setTopics(List.of(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(id)
                            .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData()
                                    .setPartition(0).setLeaderEpoch(3)))));
            ReadShareGroupStateSummaryResponseData.PartitionResult s = call(c, ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY,
                    (short) 1, summary, ReadShareGroupStateSummaryResponseData.class).results().get(0).partitions().get(0);
            assertThat(List.of(s.stateEpoch(), s.leaderEpoch(), (int) s.startOffset(), s.deliveryCompleteCount()))
                    .containsExactly(1, 3, 5, 2);

            // Fencing: an older state epoch (the state was reset since), an older leader epoch.
            assertThat(writeError(c, write("cg", id, 0, 0, 3, 5))).isEqualTo(Errors.FENCED_STATE_EPOCH.code());
            assertThat(writeError(c, write("cg", id, 0, 1, 2, 5))).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());

            InitializeShareGroupStateRequestData init = new InitializeShareGroupStateRequestData().setGroupId("cg")
                    .setTopics(List.of(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(id)
                            .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                                    .setPartition(0).setStateEpoch(2).setStartOffset(0)))));
            assertThat(call(c, ApiKeys.INITIALIZE_SHARE_GROUP_STATE, (short) 0, init,
                    InitializeShareGroupStateResponseData.class).results().get(0).partitions().get(0).errorCode()).isZero();
            state = read(c, "cg", id, 0);
            assertThat(List.of(state.stateEpoch(), (int) state.startOffset(), state.stateBatches().size()))
                    .containsExactly(2, 0, 0);

            DeleteShareGroupStateRequestData delete = new DeleteShareGroupStateRequestData().setGroupId("cg")
                    .setTopics(List.of(new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(id)
                            .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData().setPartition(0)))));
            assertThat(call(c, ApiKeys.DELETE_SHARE_GROUP_STATE, (short) 0, delete,
                    DeleteShareGroupStateResponseData.class).results().get(0).partitions().get(0).errorCode()).isZero();
            assertThat(read(c, "cg", id, 0).startOffset()).as("no state").isEqualTo(-1);
            assertThat(writeError(c, write("cg", id, 0, 2, 3, 0))).as("a deleted state is not written back")
                    .isEqualTo(Errors.FENCED_STATE_EPOCH.code());

            // Bad input: Kafka's codes, and nothing stored changes.
            assertThat(read(c, "cg", Uuid.randomUuid(), 0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(read(c, "cg", id, -1).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(read(c, "", id, 0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(writeError(c, write("cg", id, 0, 3, 3, 0, batch(0, 1, (byte) 9, (short) 1))))
                    .as("an unknown delivery state").isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(writeError(c, write("cg", id, 0, 3, 3, 0, batch(5, 4, (byte) 0, (short) 1))))
                    .as("an empty run").isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(writeError(c, write("cg", id, 0, 3, 3, 0, batch(0, 2_000_000_000L, (byte) 0, (short) 1))))
                    .as("more in flight than any share-partition holds").isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(read(c, "cg", id, 0).startOffset()).isEqualTo(-1);
            init.topics().get(0).partitions().get(0).setStartOffset(-5);
            assertThat(call(c, ApiKeys.INITIALIZE_SHARE_GROUP_STATE, (short) 0, init,
                    InitializeShareGroupStateResponseData.class).results().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REQUEST.code());

            // FindCoordinator for a share-partition key: this broker leads every state partition.
            FindCoordinatorResponseData found = call(c, ApiKeys.FIND_COORDINATOR, (short) 6, new FindCoordinatorRequestData()
                    .setKeyType((byte) 2).setCoordinatorKeys(List.of("cg:" + id + ":0", "cg")), FindCoordinatorResponseData.class);
            assertThat(found.coordinators().get(0).errorCode()).isZero();
            assertThat(found.coordinators().get(0).port()).isEqualTo(broker.clientPort());
            assertThat(found.coordinators().get(1).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        }
    }

    @Test
    void kafkaFeaturesTurnsShareGroupsOnAndOffAndRefusesWhatSluiceDoesNotServe() throws Exception {
        try (BrokerProcess off = BrokerProcess.start(Map.of("offsets.topic.replication.factor", "1"));
             RawClient c = raw(off); Admin admin = GroupClients.admin(off.bootstrap())) {
            assertThat(fetch(c, fetchRequest("m", 0, null, 0)).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            KafkaCli.Result upgrade = KafkaCli.features(off.bootstrap(), "upgrade", "--feature", "share.version=1");
            assertThat(upgrade.exitCode()).as(upgrade.output()).isZero();
            assertThat(fetch(c, fetchRequest("m", 0, null, 0)).errorCode()).as("share groups served").isZero();
            assertThat(admin.describeFeatures().featureMetadata().get().finalizedFeatures().get("share.version"))
                    .isEqualTo(new FinalizedVersionRange((short) 1, (short) 1));

            // A downgrade sent as an upgrade (the Java client refuses to build one: raw v1).
            UpdateFeaturesRequestData downgradeAsUpgrade = new UpdateFeaturesRequestData();
            downgradeAsUpgrade.featureUpdates().add(new UpdateFeaturesRequestData.FeatureUpdateKey()
                    .setFeature("share.version").setMaxVersionLevel((short) 0).setUpgradeType((byte) 1));
            UpdateFeaturesResponseData refused = call(c, ApiKeys.UPDATE_FEATURES, (short) 1, downgradeAsUpgrade,
                    UpdateFeaturesResponseData.class);
            assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_UPDATE_VERSION.code());
            assertThat(refused.errorMessage()).contains("without setting the upgrade type");
            assertThatThrownBy(() -> update(admin, "share.version", 2, FeatureUpdate.UpgradeType.UPGRADE))
                    .hasCauseInstanceOf(InvalidUpdateVersionException.class).hasMessageContaining("levels 0 to 1");
            assertThatThrownBy(() -> update(admin, "metadata.version", 8, FeatureUpdate.UpgradeType.UPGRADE))
                    .hasCauseInstanceOf(InvalidUpdateVersionException.class).hasMessageContaining("level 7 only");
            assertThatThrownBy(() -> update(admin, "no.such.version", 1, FeatureUpdate.UpgradeType.UPGRADE))
                    .hasCauseInstanceOf(InvalidUpdateVersionException.class).hasMessageContaining("does not support");
            assertThat(fetch(c, fetchRequest("m", 0, null, 0)).errorCode()).as("refusals changed nothing").isZero();

            update(admin, "share.version", 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE);
            assertThat(fetch(c, fetchRequest("m", 0, null, 0)).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        }
        try (Admin admin = GroupClients.admin(broker.bootstrap())) {
            assertThatThrownBy(() -> update(admin, "share.version", 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE))
                    .as("this broker sets sluice.share.version=1").hasCauseInstanceOf(InvalidUpdateVersionException.class)
                    .hasMessageContaining("sluice.share.version=1");
        }
    }

    private static void update(Admin admin, String feature, int level, FeatureUpdate.UpgradeType type) throws Exception {
        admin.updateFeatures(Map.of(feature, new FeatureUpdate((short) level, type)), new UpdateFeaturesOptions())
                .all().get();
    }

    @Test
    void withShareVersionZeroTheApisAnswerUnsupportedVersion() throws Exception {
        try (BrokerProcess off = BrokerProcess.start(Map.of("offsets.topic.replication.factor", "1"));
             RawClient c = raw(off)) {
            assertThat(fetch(c, fetchRequest("m", 0, null, 0)).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            c.send(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ++correlation, new ShareGroupHeartbeatRequestData()
                    .setGroupId("g").setMemberId("m").setMemberEpoch(0).setSubscribedTopicNames(List.of("t")));
            assertThat(c.read(ApiKeys.SHARE_GROUP_HEARTBEAT.id, (short) 1, ShareGroupHeartbeatResponseData.class)
                    .errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(acknowledge(c, "m", 1, Uuid.randomUuid(), 0, 0, (byte) 1).errorCode())
                    .isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        }
    }
}
