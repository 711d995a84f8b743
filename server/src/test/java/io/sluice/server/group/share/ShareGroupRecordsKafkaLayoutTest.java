package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.ShareGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ShareGroupMetadataValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Share group records of {@code __consumer_offsets} byte for byte as Kafka's group coordinator writes them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShareGroupRecordsKafkaLayoutTest {

    private static final Uuid TOPIC = Uuid.fromString("7ynTWi3upRn1yTEhYBB4qw");

    @Test
    void groupMetadataMatchesKafka() {
        GroupRecords.Record r = ShareGroupRecords.groupMetadata("g", 7);
        assertThat(r.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(new ShareGroupMetadataKey().setGroupId("g")));
        assertThat(r.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ShareGroupMetadataValue().setEpoch(7).setMetadataHash(0)));
        assertThat(ShareGroupRecords.readGroupEpoch(ByteBuffer.wrap(r.value()))).isEqualTo(7);
        assertThat(ShareGroupRecords.readKey(ByteBuffer.wrap(r.key())))
                .isEqualTo(new ShareGroupRecords.Key(ShareGroupRecords.GROUP_METADATA, "g", null));
    }

    @Test
    void memberMetadataMatchesKafka() {
        ShareGroupRecords.MemberValue v = new ShareGroupRecords.MemberValue(null, "client", "/10.0.0.1", List.of("a", "b"));
        GroupRecords.Record r = ShareGroupRecords.memberMetadata("g", "m1", v);
        assertThat(r.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ShareGroupMemberMetadataKey().setGroupId("g").setMemberId("m1")));
        assertThat(r.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0, new ShareGroupMemberMetadataValue()
                .setRackId(null).setClientId("client").setClientHost("/10.0.0.1").setSubscribedTopicNames(List.of("a", "b"))));
        assertThat(ShareGroupRecords.readMember(ByteBuffer.wrap(r.value()))).isEqualTo(v);
        assertThat(ShareGroupRecords.readKey(ByteBuffer.wrap(r.key())))
                .isEqualTo(new ShareGroupRecords.Key(ShareGroupRecords.MEMBER_METADATA, "g", "m1"));
    }

    @Test
    void currentMemberAssignmentMatchesKafka() {
        Map<Uuid, Set<Integer>> assignment = new LinkedHashMap<>();
        assignment.put(TOPIC, new TreeSet<>(List.of(0, 2)));
        GroupRecords.Record r = ShareGroupRecords.assignment("g", "m1",
                new ShareGroupRecords.AssignmentValue(5, 4, assignment));
        assertThat(r.key()).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ShareGroupCurrentMemberAssignmentKey().setGroupId("g").setMemberId("m1")));
        assertThat(r.value()).isEqualTo(MessageUtil.toVersionPrefixedBytes((short) 0,
                new ShareGroupCurrentMemberAssignmentValue().setMemberEpoch(5).setPreviousMemberEpoch(4).setState((byte) 0)
                        .setAssignedPartitions(List.of(new ShareGroupCurrentMemberAssignmentValue.TopicPartitions()
                                .setTopicId(TOPIC).setPartitions(List.of(0, 2))))));
        assertThat(ShareGroupRecords.readAssignment(ByteBuffer.wrap(r.value())))
                .isEqualTo(new ShareGroupRecords.AssignmentValue(5, 4, assignment));
    }
}
