package io.sluice.server.group.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.it.BrokerProcess;
import io.sluice.server.network.RawClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The group APIs at old and new versions over a raw connection to a broker process, including
 * what no well-behaved client sends: wrong generations, unknown members, unknown partitions and
 * oversized metadata — each gets Kafka's error and nothing stored changes.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupWireTest {

    private static BrokerProcess broker;
    private static int correlation;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(ConsumerGroupProcessTest.BROKER_SETTINGS);
        GroupClients.createTopic(broker.bootstrap(), "wire", 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static <T extends ApiMessage> T call(RawClient c, ApiKeys api, int version, ApiMessage body, Class<T> type)
            throws Exception {
        c.send(api.id, (short) version, ++correlation, body);
        return c.read(api.id, (short) version, type);
    }

    private static OffsetCommitRequestData commit(int generation, String memberId, String topic, int partition,
                                                  long offset, String metadata) {
        return new OffsetCommitRequestData().setGroupId("wire-g").setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName(topic).setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset).setCommittedMetadata(metadata)))));
    }

    private static short commitError(RawClient c, OffsetCommitRequestData req) throws Exception {
        return call(c, ApiKeys.OFFSET_COMMIT, 8, req, OffsetCommitResponseData.class)
                .topics().get(0).partitions().get(0).errorCode();
    }

    private static long fetchV1(RawClient c, int partition) throws Exception {
        OffsetFetchResponseData r = call(c, ApiKeys.OFFSET_FETCH, 1, new OffsetFetchRequestData().setGroupId("wire-g")
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("wire")
                        .setPartitionIndexes(List.of(partition)))), OffsetFetchResponseData.class);
        return r.topics().get(0).partitions().get(0).committedOffset();
    }

    @Test
    void groupApisAnswerEveryVersionAndRefuseBadRequestsWithKafkasErrors() throws Exception {
        try (RawClient c = new RawClient(new InetSocketAddress("localhost", broker.clientPort()))) {
            // FindCoordinator v0 (the first lookup creates __consumer_offsets) and v4 (batched)
            FindCoordinatorResponseData fc;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                fc = call(c, ApiKeys.FIND_COORDINATOR, 0, new FindCoordinatorRequestData().setKey("wire-g"),
                        FindCoordinatorResponseData.class);
            } while (fc.errorCode() != Errors.NONE.code() && System.nanoTime() < deadline && sleep());
            assertThat(fc.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(fc.port()).isEqualTo(broker.clientPort());
            FindCoordinatorResponseData batch = call(c, ApiKeys.FIND_COORDINATOR, 4, new FindCoordinatorRequestData()
                    .setCoordinatorKeys(List.of("a", "b")), FindCoordinatorResponseData.class);
            assertThat(batch.coordinators()).extracting(x -> x.errorCode()).containsOnly(Errors.NONE.code());
            assertThat(call(c, ApiKeys.FIND_COORDINATOR, 4, new FindCoordinatorRequestData().setKeyType((byte) 7)
                    .setCoordinatorKeys(List.of("a")), FindCoordinatorResponseData.class).coordinators().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REQUEST.code());

            // JoinGroup v3 (no member id round trip), then SyncGroup v3
            JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(Utils.toArray(
                    ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of("wire"))))));
            c.setTimeoutMs(30_000);
            JoinGroupResponseData joined = call(c, ApiKeys.JOIN_GROUP, 3, new JoinGroupRequestData().setGroupId("wire-g")
                    .setMemberId("").setProtocolType("consumer").setSessionTimeoutMs(30_000).setRebalanceTimeoutMs(10_000)
                    .setProtocols(protocols), JoinGroupResponseData.class);
            assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(joined.generationId()).isEqualTo(1);
            assertThat(joined.leader()).isEqualTo(joined.memberId());
            String me = joined.memberId();
            SyncGroupResponseData synced = call(c, ApiKeys.SYNC_GROUP, 3, new SyncGroupRequestData().setGroupId("wire-g")
                    .setMemberId(me).setGenerationId(1).setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                            .setMemberId(me).setAssignment(new byte[] {1, 2, 3}))), SyncGroupResponseData.class);
            assertThat(synced.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(synced.assignment()).containsExactly(1, 2, 3);

            // commits: the good one is stored, each bad one refused with Kafka's error
            assertThat(commitError(c, commit(1, me, "wire", 0, 7, "ok"))).isEqualTo(Errors.NONE.code());
            assertThat(commitError(c, commit(2, me, "wire", 0, 99, ""))).isEqualTo(Errors.ILLEGAL_GENERATION.code());
            assertThat(commitError(c, commit(1, "ghost", "wire", 0, 99, ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
            assertThat(commitError(c, commit(1, me, "nope", 0, 99, ""))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(commitError(c, commit(1, me, "wire", 5, 99, ""))).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(commitError(c, commit(1, me, "wire", 0, 99, "x".repeat(4097))))
                    .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
            assertThat(fetchV1(c, 0)).isEqualTo(7);
            OffsetFetchResponseData v8 = call(c, ApiKeys.OFFSET_FETCH, 8, new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("wire-g").setTopics(null),
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("other").setTopics(null))),
                    OffsetFetchResponseData.class);
            assertThat(v8.groups()).hasSize(2);
            assertThat(v8.groups().get(0).topics().get(0).partitions()).singleElement()
                    .satisfies(p -> assertThat(p.committedOffset()).isEqualTo(7));
            assertThat(v8.groups().get(1).topics()).isEmpty();

            // heartbeats
            assertThat(call(c, ApiKeys.HEARTBEAT, 0, new HeartbeatRequestData().setGroupId("wire-g").setMemberId(me)
                    .setGenerationId(1), HeartbeatResponseData.class).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(call(c, ApiKeys.HEARTBEAT, 4, new HeartbeatRequestData().setGroupId("wire-g").setMemberId(me)
                    .setGenerationId(5), HeartbeatResponseData.class).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code());

            // describe and list
            DescribeGroupsResponseData.DescribedGroup d = call(c, ApiKeys.DESCRIBE_GROUPS, 0, new DescribeGroupsRequestData()
                    .setGroups(List.of("wire-g")), DescribeGroupsResponseData.class).groups().get(0);
            assertThat(d.groupState()).isEqualTo("Stable");
            assertThat(d.members()).singleElement().satisfies(m -> assertThat(m.memberAssignment()).containsExactly(1, 2, 3));
            assertThat(call(c, ApiKeys.DESCRIBE_GROUPS, 6, new DescribeGroupsRequestData().setGroups(List.of("nope")),
                    DescribeGroupsResponseData.class).groups().get(0).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
            assertThat(call(c, ApiKeys.LIST_GROUPS, 0, new ListGroupsRequestData(), ListGroupsResponseData.class).groups())
                    .extracting(g -> g.groupId()).contains("wire-g");
            assertThat(call(c, ApiKeys.LIST_GROUPS, 4, new ListGroupsRequestData().setStatesFilter(List.of("Empty")),
                    ListGroupsResponseData.class).groups()).extracting(g -> g.groupId()).doesNotContain("wire-g");

            // leave (v0 shape), then delete
            assertThat(call(c, ApiKeys.DELETE_GROUPS, 2, new DeleteGroupsRequestData().setGroupsNames(List.of("wire-g")),
                    DeleteGroupsResponseData.class).results().iterator().next().errorCode())
                    .isEqualTo(Errors.NON_EMPTY_GROUP.code());
            assertThat(call(c, ApiKeys.LEAVE_GROUP, 0, new LeaveGroupRequestData().setGroupId("wire-g").setMemberId(me),
                    LeaveGroupResponseData.class).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(call(c, ApiKeys.LIST_GROUPS, 5, new ListGroupsRequestData().setStatesFilter(List.of("empty"))
                    .setTypesFilter(List.of("classic")), ListGroupsResponseData.class).groups())
                    .extracting(g -> g.groupId()).contains("wire-g");
            assertThat(fetchV1(c, 0)).isEqualTo(7);
            assertThat(call(c, ApiKeys.DELETE_GROUPS, 2, new DeleteGroupsRequestData().setGroupsNames(List.of("wire-g")),
                    DeleteGroupsResponseData.class).results().iterator().next().errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(fetchV1(c, 0)).isEqualTo(-1);
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
