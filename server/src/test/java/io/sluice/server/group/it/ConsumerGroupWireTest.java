package io.sluice.server.group.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.it.BrokerProcess;
import io.sluice.server.network.RawClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 over a raw connection: ConsumerGroupHeartbeat and ConsumerGroupDescribe, OffsetCommit
 * and OffsetFetch v10 by topic id with member epochs, and the classic APIs meeting a consumer
 * group; every refusal gets Kafka's error code.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerGroupWireTest {

    private static BrokerProcess broker;
    private static int correlation;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(Map.of("offsets.topic.num.partitions", "3", "offsets.topic.replication.factor", "1"));
        GroupClients.createTopic(broker.bootstrap(), "cw", 2);
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

    private static ConsumerGroupHeartbeatRequestData join(String group, String member) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("cw")).setTopicPartitions(List.of());
    }

    private static OffsetCommitRequestData commitById(String group, String member, int epoch, Uuid topicId) {
        return new OffsetCommitRequestData().setGroupId(group).setMemberId(member).setGenerationIdOrMemberEpoch(epoch)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(topicId)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(1).setCommittedOffset(42).setCommittedMetadata("m")))));
    }

    private static OffsetFetchRequestData fetchById(String group, String member, int epoch, Uuid topicId) {
        return new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                .setGroupId(group).setMemberId(member).setMemberEpoch(epoch)
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setTopicId(topicId)
                        .setPartitionIndexes(List.of(1))))));
    }

    @Test
    void consumerGroupApisAndOffsetsByTopicIdAnswerAsKafka() throws Exception {
        try (RawClient c = new RawClient(new InetSocketAddress("localhost", broker.clientPort()))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    call(c, ApiKeys.FIND_COORDINATOR, 4, new FindCoordinatorRequestData().setCoordinatorKeys(List.of("cg")),
                            FindCoordinatorResponseData.class).coordinators().get(0).errorCode() == 0);
            ConsumerGroupHeartbeatResponseData[] joined = new ConsumerGroupHeartbeatResponseData[1];
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                joined[0] = call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("cg", "m1"),
                        ConsumerGroupHeartbeatResponseData.class);
                return joined[0].errorCode() == 0;
            });
            assertThat(joined[0].memberEpoch()).isEqualTo(1);
            Uuid topicId = joined[0].assignment().topicPartitions().get(0).topicId();
            assertThat(joined[0].assignment().topicPartitions().get(0).partitions()).containsExactlyInAnyOrder(0, 1);

            // Refusals of a heartbeat
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("cg", ""), ConsumerGroupHeartbeatResponseData.class)
                    .errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0, join("cg", "m2").setServerAssignor("sticky"),
                    ConsumerGroupHeartbeatResponseData.class).errorCode()).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("cg", "m1").setMemberEpoch(7),
                    ConsumerGroupHeartbeatResponseData.class).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
            // v0: the coordinator makes the member id
            ConsumerGroupHeartbeatResponseData v0 = call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 0,
                    join("cg0", ""), ConsumerGroupHeartbeatResponseData.class);
            assertThat(v0.errorCode()).isZero();
            assertThat(v0.memberId()).isNotEmpty();

            // OffsetCommit and OffsetFetch v10, by topic id, with the member epoch
            OffsetCommitResponseData committed = call(c, ApiKeys.OFFSET_COMMIT, 10, commitById("cg", "m1", 1, topicId),
                    OffsetCommitResponseData.class);
            assertThat(committed.topics().get(0).topicId()).isEqualTo(topicId);
            assertThat(committed.topics().get(0).partitions().get(0).errorCode()).isZero();
            assertThat(call(c, ApiKeys.OFFSET_COMMIT, 10, commitById("cg", "m1", 0, topicId), OffsetCommitResponseData.class)
                    .topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
            assertThat(call(c, ApiKeys.OFFSET_COMMIT, 10, commitById("cg", "nobody", 1, topicId),
                    OffsetCommitResponseData.class).topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
            assertThat(call(c, ApiKeys.OFFSET_COMMIT, 10, commitById("cg", "m1", 1, new Uuid(9, 9)),
                    OffsetCommitResponseData.class).topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
            OffsetCommitRequestData v8 = commitById("cg", "m1", 1, topicId);
            v8.topics().get(0).setName("cw");
            assertThat(call(c, ApiKeys.OFFSET_COMMIT, 8, v8, OffsetCommitResponseData.class).topics().get(0).partitions()
                    .get(0).errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());

            OffsetFetchResponseData.OffsetFetchResponseGroup fetched = call(c, ApiKeys.OFFSET_FETCH, 10,
                    fetchById("cg", "m1", 1, topicId), OffsetFetchResponseData.class).groups().get(0);
            assertThat(fetched.errorCode()).isZero();
            assertThat(fetched.topics().get(0).topicId()).isEqualTo(topicId);
            assertThat(fetched.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(42);
            assertThat(call(c, ApiKeys.OFFSET_FETCH, 10, fetchById("cg", "m1", 3, topicId), OffsetFetchResponseData.class)
                    .groups().get(0).errorCode()).isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
            assertThat(call(c, ApiKeys.OFFSET_FETCH, 10, fetchById("cg", "zz", 1, topicId), OffsetFetchResponseData.class)
                    .groups().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
            assertThat(call(c, ApiKeys.OFFSET_FETCH, 10, fetchById("cg", null, -1, new Uuid(9, 9)),
                    OffsetFetchResponseData.class).groups().get(0).topics().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());

            // ConsumerGroupDescribe; a classic group and an unknown one are GROUP_ID_NOT_FOUND
            ConsumerGroupDescribeResponseData.DescribedGroup d = call(c, ApiKeys.CONSUMER_GROUP_DESCRIBE, 1,
                    new ConsumerGroupDescribeRequestData().setGroupIds(List.of("cg", "unknown-g")),
                    ConsumerGroupDescribeResponseData.class).groups().get(0);
            assertThat(d.groupState()).isEqualTo("Stable");
            assertThat(d.groupEpoch()).isEqualTo(1);
            assertThat(d.assignorName()).isEqualTo("uniform");
            assertThat(d.members()).singleElement().satisfies(m -> {
                assertThat(m.memberId()).isEqualTo("m1");
                assertThat(m.memberType()).isEqualTo((byte) 1);
                assertThat(m.assignment().topicPartitions().get(0).topicName()).isEqualTo("cw");
            });
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_DESCRIBE, 0,
                    new ConsumerGroupDescribeRequestData().setGroupIds(List.of("unknown-g")),
                    ConsumerGroupDescribeResponseData.class).groups().get(0).errorCode())
                    .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

            // The classic APIs meeting a consumer group: a classic member of another protocol type is refused
            // (one of type consumer would join it, KIP-848 migration)
            JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
            assertThat(call(c, ApiKeys.JOIN_GROUP, 9, new JoinGroupRequestData().setGroupId("cg").setMemberId("")
                    .setProtocolType("connect").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                    .setProtocols(protocols), JoinGroupResponseData.class).errorCode())
                    .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
            DescribeGroupsResponseData.DescribedGroup classicView = call(c, ApiKeys.DESCRIBE_GROUPS, 5,
                    new DescribeGroupsRequestData().setGroups(List.of("cg")), DescribeGroupsResponseData.class).groups().get(0);
            assertThat(classicView.protocolType()).isEqualTo("consumer");
            assertThat(classicView.groupState()).isEqualTo("Stable");
            assertThat(classicView.members()).singleElement().satisfies(m -> assertThat(m.memberId()).isEqualTo("m1"));
            assertThat(call(c, ApiKeys.LIST_GROUPS, 5, new ListGroupsRequestData().setTypesFilter(List.of("consumer")),
                    ListGroupsResponseData.class).groups()).extracting(ListGroupsResponseData.ListedGroup::groupId)
                    .contains("cg", "cg0");

            // Leaving: epoch -1 answers -1, then the member is unknown
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, new ConsumerGroupHeartbeatRequestData().setGroupId("cg")
                    .setMemberId("m1").setMemberEpoch(-1), ConsumerGroupHeartbeatResponseData.class).memberEpoch())
                    .isEqualTo(-1);
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, new ConsumerGroupHeartbeatRequestData().setGroupId("cg")
                    .setMemberId("m1").setMemberEpoch(1).setTopicPartitions(List.of()),
                    ConsumerGroupHeartbeatResponseData.class).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        }
    }

    @Test
    void withoutTheConsumerProtocolBothApisAnswerUnsupportedVersion() throws Exception {
        try (BrokerProcess classicOnly = BrokerProcess.start(Map.of("group.coordinator.rebalance.protocols", "classic",
                "offsets.topic.num.partitions", "1", "offsets.topic.replication.factor", "1"));
             RawClient c = new RawClient(new InetSocketAddress("localhost", classicOnly.clientPort()))) {
            ConsumerGroupHeartbeatResponseData r = call(c, ApiKeys.CONSUMER_GROUP_HEARTBEAT, 1, join("cg", "m1"),
                    ConsumerGroupHeartbeatResponseData.class);
            assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(r.errorMessage()).contains("group.coordinator.rebalance.protocols");
            assertThat(call(c, ApiKeys.CONSUMER_GROUP_DESCRIBE, 1, new ConsumerGroupDescribeRequestData()
                    .setGroupIds(List.of("cg")), ConsumerGroupDescribeResponseData.class).groups().get(0).errorCode())
                    .isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        }
    }
}
