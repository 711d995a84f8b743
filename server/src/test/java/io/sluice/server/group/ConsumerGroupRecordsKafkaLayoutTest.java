package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.consumer.ClassicMemberMetadata;
import io.sluice.server.group.consumer.ConsumerGroupRecords;
import io.sluice.server.group.consumer.ConsumerMember;
import io.sluice.server.group.consumer.MemberState;
import io.sluice.server.group.log.GroupRecords;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The KIP-848 group records are byte for byte Kafka 4.4's (its generated record classes). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConsumerGroupRecordsKafkaLayoutTest {

    static final Uuid TOPIC = new Uuid(12, 34);

    @Test
    void groupAndTargetEpochRecordsMatchKafka() {
        GroupRecords.Record r = ConsumerGroupRecords.groupEpoch("g", 7);
        assertThat(r.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(new ConsumerGroupMetadataKey().setGroupId("g")));
        assertThat(r.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ConsumerGroupMetadataValue().setEpoch(7)));
        GroupRecords.Record t = ConsumerGroupRecords.targetEpoch("g", 6);
        assertThat(t.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ConsumerGroupTargetAssignmentMetadataKey().setGroupId("g")));
        assertThat(t.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ConsumerGroupTargetAssignmentMetadataValue().setAssignmentEpoch(6)));
    }

    @Test
    void memberRecordsMatchKafkaAndReadBack() {
        ConsumerMember m = new ConsumerMember("m1", "i1", null, "client", "/10.0.0.1", 30_000, "range", List.of("a", "b"),
                "rx-.*", 5, 4, MemberState.UNREVOKED_PARTITIONS, Map.of(TOPIC, Set.of(0, 2)), Map.of(TOPIC, Set.of(1)),
                null);
        GroupRecords.Record meta = ConsumerGroupRecords.memberMetadata("g", m);
        assertThat(meta.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ConsumerGroupMemberMetadataKey().setGroupId("g").setMemberId("m1")));
        assertThat(meta.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ConsumerGroupMemberMetadataValue().setInstanceId("i1").setRackId(null).setClientId("client")
                        .setClientHost("/10.0.0.1").setSubscribedTopicNames(List.of("a", "b"))
                        .setSubscribedTopicRegex("rx-.*").setRebalanceTimeoutMs(30_000).setServerAssignor("range")));

        GroupRecords.Record target = ConsumerGroupRecords.targetMember("g", "m1", Map.of(TOPIC, Set.of(0, 2)));
        assertThat(target.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ConsumerGroupTargetAssignmentMemberKey().setGroupId("g").setMemberId("m1")));
        assertThat(target.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ConsumerGroupTargetAssignmentMemberValue().setTopicPartitions(List.of(
                        new ConsumerGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(TOPIC)
                                .setPartitions(List.of(0, 2))))));

        GroupRecords.Record current = ConsumerGroupRecords.currentAssignment("g", m);
        assertThat(current.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ConsumerGroupCurrentMemberAssignmentKey().setGroupId("g").setMemberId("m1")));
        assertThat(current.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ConsumerGroupCurrentMemberAssignmentValue().setMemberEpoch(5).setPreviousMemberEpoch(4)
                        .setState((byte) 1)
                        .setAssignedPartitions(List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                                .setTopicId(TOPIC).setPartitions(List.of(0, 2))))
                        .setPartitionsPendingRevocation(List.of(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions()
                                .setTopicId(TOPIC).setPartitions(List.of(1))))));

        ConsumerGroupRecords.CurrentAssignment back = ConsumerGroupRecords.readCurrentAssignment(current.value());
        assertThat(back.state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        assertThat(back.assigned()).isEqualTo(Map.of(TOPIC, Set.of(0, 2)));
        assertThat(ConsumerGroupRecords.readMemberMetadata(meta.value(), ConsumerMember.joining("m1")).subscribedTopicRegex())
                .isEqualTo("rx-.*");
    }

    @Test
    void classicProtocolMemberMetadataIsKafkasTaggedFieldAndReadsBack() {
        byte[] subscription = {0, 1, 2, 3};
        ClassicMemberMetadata classic = new ClassicMemberMetadata(10_000, List.of(
                new ClassicMemberMetadata.Protocol("range", subscription),
                new ClassicMemberMetadata.Protocol("cooperative-sticky", new byte[] {9})));
        ConsumerMember m = ConsumerMember.joining("m1").updated(null, "rack", 30_000, null, List.of("a"), null, "client",
                "/10.0.0.1").withClassic(classic);
        GroupRecords.Record meta = ConsumerGroupRecords.memberMetadata("g", m);
        ConsumerGroupMemberMetadataValue kafka = new ConsumerGroupMemberMetadataValue().setInstanceId(null)
                .setRackId("rack").setClientId("client").setClientHost("/10.0.0.1").setSubscribedTopicNames(List.of("a"))
                .setSubscribedTopicRegex(null).setRebalanceTimeoutMs(30_000).setServerAssignor(null)
                .setClassicMemberMetadata(new ConsumerGroupMemberMetadataValue.ClassicMemberMetadata()
                        .setSessionTimeoutMs(10_000).setSupportedProtocols(List.of(
                                new ConsumerGroupMemberMetadataValue.ClassicProtocol().setName("range")
                                        .setMetadata(subscription),
                                new ConsumerGroupMemberMetadataValue.ClassicProtocol().setName("cooperative-sticky")
                                        .setMetadata(new byte[] {9}))));
        assertThat(meta.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0, kafka));
        ConsumerMember back = ConsumerGroupRecords.readMemberMetadata(meta.value(), ConsumerMember.joining("m1"));
        assertThat(back.classic()).isEqualTo(classic);
        assertThat(ConsumerGroupRecords.readMemberMetadata(ConsumerGroupRecords.memberMetadata("g",
                m.withClassic(null)).value(), ConsumerMember.joining("m1")).usesClassicProtocol()).isFalse();
    }
}
