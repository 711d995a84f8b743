package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.log.GroupRecords;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The __consumer_offsets records are byte for byte what Kafka's own group coordinator writes
 * (its generated record classes, from kafka-group-coordinator on the test classpath), so Kafka's
 * tools can read a Sluice offsets log and the other way round.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupRecordsKafkaLayoutTest {

    @Test
    void offsetCommitKeyAndValueMatchKafka() {
        byte[] kafkaKey = MessageUtil.toCoordinatorTypePrefixedBytes(
                new OffsetCommitKey().setGroup("g").setTopic("t").setPartition(3));
        assertThat(GroupRecords.offsetCommitKey("g", "t", 3)).isEqualTo(kafkaKey);
        byte[] kafkaValue = MessageUtil.toVersionPrefixedBytes((short) 3, new OffsetCommitValue().setOffset(42)
                .setLeaderEpoch(7).setMetadata("meta").setCommitTimestamp(1234L));
        assertThat(GroupRecords.offsetCommitValue(new GroupRecords.OffsetValue(42, 7, "meta", 1234L))).isEqualTo(kafkaValue);
        assertThat(GroupRecords.readOffsetValue(ByteBuffer.wrap(kafkaValue)))
                .isEqualTo(new GroupRecords.OffsetValue(42, 7, "meta", 1234L));
        // Kafka's version 1 value (with an expire timestamp) reads too
        byte[] v1 = MessageUtil.toVersionPrefixedBytes((short) 1, new OffsetCommitValue().setOffset(5)
                .setMetadata("").setCommitTimestamp(9L).setExpireTimestamp(99L));
        assertThat(GroupRecords.readOffsetValue(ByteBuffer.wrap(v1))).isEqualTo(new GroupRecords.OffsetValue(5, -1, "", 9L));
    }

    @Test
    void groupMetadataKeyAndValueMatchKafka() {
        assertThat(GroupRecords.groupMetadataKey("grp"))
                .isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(new GroupMetadataKey().setGroup("grp")));
        GroupMetadataValue kafka = new GroupMetadataValue().setProtocolType("consumer").setGeneration(4)
                .setProtocol("range").setLeader("m1").setCurrentStateTimestamp(77L)
                .setMembers(List.of(new GroupMetadataValue.MemberMetadata().setMemberId("m1").setGroupInstanceId("i1")
                        .setClientId("c").setClientHost("/127.0.0.1").setRebalanceTimeout(300).setSessionTimeout(45)
                        .setSubscription(new byte[] {1, 2}).setAssignment(new byte[] {3})));
        byte[] kafkaBytes = MessageUtil.toVersionPrefixedBytes((short) 3, kafka);
        GroupRecords.GroupValue ours = new GroupRecords.GroupValue("consumer", 4, "range", "m1", 77L, List.of(
                new GroupRecords.MemberValue("m1", "i1", "c", "/127.0.0.1", 300, 45, new byte[] {1, 2}, new byte[] {3})));
        assertThat(GroupRecords.groupMetadataValue(ours)).isEqualTo(kafkaBytes);
        GroupRecords.GroupValue back = GroupRecords.readGroupValue(ByteBuffer.wrap(kafkaBytes));
        assertThat(back.members()).singleElement().satisfies(m -> {
            assertThat(m.groupInstanceId()).isEqualTo("i1");
            assertThat(m.assignment()).containsExactly(3);
        });
        assertThat(back.generation()).isEqualTo(4);
    }
}
