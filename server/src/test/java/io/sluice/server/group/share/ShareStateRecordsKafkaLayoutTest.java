package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotKey;
import org.apache.kafka.coordinator.share.generated.ShareSnapshotValue;
import org.apache.kafka.coordinator.share.generated.ShareUpdateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code __share_group_state} records byte for byte as Kafka's share coordinator writes them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ShareStateRecordsKafkaLayoutTest {

    private static final Uuid TOPIC = Uuid.fromString("7ynTWi3upRn1yTEhYBB4qw");

    @Test
    void snapshotKeyAndValueMatchKafka() {
        ShareStateRecords.Key key = new ShareStateRecords.Key("grp", TOPIC, 3);
        assertThat(ShareStateRecords.key(key)).isEqualTo(MessageUtil.toCoordinatorTypePrefixedBytes(
                new ShareSnapshotKey().setGroupId("grp").setTopicId(TOPIC).setPartition(3)));
        ShareSnapshotValue kafka = new ShareSnapshotValue().setSnapshotEpoch(2).setStateEpoch(1).setLeaderEpoch(5)
                .setStartOffset(100).setCreateTimestamp(11L).setWriteTimestamp(22L).setStateBatches(List.of(
                        new ShareSnapshotValue.StateBatch().setFirstOffset(100).setLastOffset(104)
                                .setDeliveryState((byte) 2).setDeliveryCount((short) 1),
                        new ShareSnapshotValue.StateBatch().setFirstOffset(105).setLastOffset(105)
                                .setDeliveryState((byte) 4).setDeliveryCount((short) 5)));
        byte[] kafkaBytes = MessageUtil.toVersionPrefixedBytes((short) 0, kafka);
        ShareStateRecords.Snapshot ours = new ShareStateRecords.Snapshot(2, 1, 5, 100, 11L, 22L, List.of(
                new SharePartition.StateBatch(100, 104, SharePartition.RecordState.ACKNOWLEDGED, (short) 1),
                new SharePartition.StateBatch(105, 105, SharePartition.RecordState.ARCHIVED, (short) 5)));
        assertThat(ShareStateRecords.value(ours)).isEqualTo(kafkaBytes);
        assertThat(ShareStateRecords.readValue(ByteBuffer.wrap(kafkaBytes))).isEqualTo(ours);
        assertThat(ShareStateRecords.readKey(ByteBuffer.wrap(ShareStateRecords.key(key)))).isEqualTo(key);
    }

    @Test
    void kafkasTaggedDeliveryCompleteCountIsReadAndUpdateRecordsAreSkipped() {
        byte[] withTag = MessageUtil.toVersionPrefixedBytes((short) 0, new ShareSnapshotValue().setStartOffset(7)
                .setDeliveryCompleteCount(3).setStateBatches(List.of()));
        assertThat(ShareStateRecords.readValue(ByteBuffer.wrap(withTag)).startOffset()).isEqualTo(7);
        byte[] update = MessageUtil.toCoordinatorTypePrefixedBytes(
                new ShareUpdateKey().setGroupId("grp").setTopicId(TOPIC).setPartition(0));
        assertThat(ShareStateRecords.readKey(ByteBuffer.wrap(update))).isNull();
    }
}
