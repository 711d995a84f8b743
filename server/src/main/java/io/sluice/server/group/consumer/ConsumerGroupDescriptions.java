package io.sluice.server.group.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * How a consumer group is described: ConsumerGroupDescribe (members with their current and
 * target assignments) and, for tools still on the classic API, DescribeGroups (protocol type
 * "consumer", each member's subscription and assignment in ConsumerProtocol bytes, as Kafka's
 * ConsumerGroup.asDescribedGroup). Stateless; called on the coordinator thread.
 */
public final class ConsumerGroupDescriptions {

    /** ConsumerGroupDescribe's member type of a consumer-protocol member (v1+). */
    private static final byte MEMBER_TYPE_CONSUMER = 1;
    /** Kafka's MemberType of a member speaking the classic protocol in a consumer group (KIP-848 migration). */
    private static final byte MEMBER_TYPE_CLASSIC = 0;

    private ConsumerGroupDescriptions() { }

    public static ConsumerGroupDescribeResponseData.DescribedGroup describe(ConsumerGroupManager manager, String groupId,
                                                                          short version) {
        ConsumerGroupDescribeResponseData.DescribedGroup d = new ConsumerGroupDescribeResponseData.DescribedGroup()
                .setGroupId(groupId);
        ConsumerGroup g = manager.group(groupId);
        if (g == null) {
            String why = manager.isClassic(groupId) ? "Group " + groupId + " is not a consumer group."
                    : "Group " + groupId + " not found.";
            return d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(why);
        }
        d.setGroupState(g.state().kafkaName()).setGroupEpoch(g.groupEpoch()).setAssignmentEpoch(g.assignmentEpoch())
                .setAssignorName(g.assignor(manager.config().defaultAssignor()));
        for (ConsumerMember m : g.members()) {
            ConsumerGroupDescribeResponseData.Member dm = new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId()).setInstanceId(m.instanceId()).setRackId(m.rackId())
                    .setMemberEpoch(m.memberEpoch()).setClientId(m.clientId()).setClientHost(m.clientHost())
                    .setSubscribedTopicNames(m.subscribedTopicNames()).setSubscribedTopicRegex(m.subscribedTopicRegex())
                    .setAssignment(assignment(manager.topics(), m.assigned()))
                    .setTargetAssignment(assignment(manager.topics(), g.targetOf(m.memberId())));
            if (version >= 1) {
                dm.setMemberType(m.usesClassicProtocol() ? MEMBER_TYPE_CLASSIC : MEMBER_TYPE_CONSUMER);
            }
            d.members().add(dm);
        }
        return d;
    }

    private static ConsumerGroupDescribeResponseData.Assignment assignment(ClusterTopics topics,
                                                                          Map<Uuid, Set<Integer>> partitions) {
        ConsumerGroupDescribeResponseData.Assignment a = new ConsumerGroupDescribeResponseData.Assignment();
        partitions.forEach((id, ps) -> {
            ClusterTopics.Topic t = topics.byId(id);
            if (t != null) {
                a.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                        .setTopicName(t.name()).setPartitions(List.copyOf(ps)));
            }
        });
        return a;
    }

    /** DescribeGroups of a consumer group, as Kafka answers it. */
    public static DescribeGroupsResponseData.DescribedGroup asDescribedGroup(ConsumerGroupManager manager, ConsumerGroup g,
                                                                             short version) {
        DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup()
                .setGroupId(g.groupId()).setErrorCode(Errors.NONE.code()).setGroupState(g.state().kafkaName())
                .setProtocolType("consumer").setProtocolData(g.assignor(manager.config().defaultAssignor()));
        for (ConsumerMember m : g.members()) {
            List<String> topics = new ArrayList<>(m.subscribedTopicNames());
            List<TopicPartition> owned = new ArrayList<>();
            m.assigned().forEach((id, ps) -> {
                ClusterTopics.Topic t = manager.topics().byId(id);
                if (t != null) {
                    ps.forEach(p -> owned.add(new TopicPartition(t.name(), p)));
                }
            });
            d.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                    .setGroupInstanceId(version >= 4 ? m.instanceId() : null).setClientId(m.clientId())
                    .setClientHost(m.clientHost())
                    .setMemberMetadata(Utils.toArray(ConsumerProtocol.serializeSubscription(
                            new ConsumerPartitionAssignor.Subscription(topics, null, List.of()))))
                    .setMemberAssignment(Utils.toArray(ConsumerProtocol.serializeAssignment(
                            new ConsumerPartitionAssignor.Assignment(owned)))));
        }
        return d;
    }
}
