package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SnapshotCodecTest {
    private static MetadataImage sample() {
        Harness h = new Harness();
        h.liveBroker(1, "r1");
        h.liveBroker(2, null);
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("t", 3, (short) 2, List.of(),
            Map.of("retention.ms", "1000"))), false));
        h.apply(new AlterClientQuotas(List.of(
            new AlterClientQuotas.Entry(ClientQuotaEntity.of(new ClientQuotaEntity.Component("client-id", "app")),
                List.of(new AlterClientQuotas.Op("producer_byte_rate", 1024.0))),
            new AlterClientQuotas.Entry(ClientQuotaEntity.of(new ClientQuotaEntity.Component("user", null),
                new ClientQuotaEntity.Component("client-id", null)),
                List.of(new AlterClientQuotas.Op("request_percentage", 12.5),
                    new AlterClientQuotas.Op("consumer_byte_rate", 4096.0)))), false));
        h.apply(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.GROUP, "g1",
            List.of(new AlterConfigs.Op("consumer.session.timeout.ms", AlterConfigs.OpType.SET, "50000")))), true, false));
        return h.image;
    }

    /**
     * An older snapshot: each version adds one trailing list to the one before (2: client quotas,
     * 3: group configs), so a version-v record is the current record of an image without those
     * lists' content, less their (zero) counts.
     */
    private static byte[] asVersion(int version, MetadataImage withoutNewerParts) {
        byte[] current = SnapshotCodec.encode(withoutNewerParts);
        byte[] old = Arrays.copyOf(current, current.length - (SnapshotCodec.VERSION - version) * Integer.BYTES);
        ByteBuffer b = ByteBuffer.wrap(old);
        b.put(SnapshotCodec.VERSION_OFFSET, (byte) version);
        int length = old.length - SnapshotCodec.HEADER_LENGTH;
        b.putInt(SnapshotCodec.LENGTH_OFFSET, length);
        CRC32C crc = new CRC32C();
        crc.update(old, SnapshotCodec.VERSION_OFFSET, SnapshotCodec.CRC_OFFSET - SnapshotCodec.VERSION_OFFSET);
        crc.update(old, SnapshotCodec.HEADER_LENGTH, length);
        b.putInt(SnapshotCodec.CRC_OFFSET, (int) crc.getValue());
        return old;
    }

    @Test
    void olderSnapshotVersionsStillDecodeWithoutWhatTheyLacked() {
        MetadataImage full = sample();
        assertThat(full.clientQuotas()).hasSize(2);
        assertThat(full.groupConfigs()).containsOnlyKeys("g1");
        ImageBuilder b = new ImageBuilder(full);
        full.groupConfigs().keySet().forEach(g -> b.putGroupConfigs(g, Map.of()));
        MetadataImage noGroupConfigs = b.build();
        full.clientQuotas().keySet().forEach(e -> b.putClientQuotas(e, Map.of()));
        MetadataImage noQuotas = b.build();

        assertThat(SnapshotCodec.decode(asVersion(2, noGroupConfigs))).isEqualTo(noGroupConfigs);
        MetadataImage v1 = SnapshotCodec.decode(asVersion(1, noQuotas));
        assertThat(v1).isEqualTo(noQuotas);
        assertThat(v1.clientQuotas()).isEmpty();
        assertThat(v1.topic("t").configs()).containsEntry("retention.ms", "1000");
    }

    @Test
    void anUnknownNewerSnapshotVersionIsUnsupported() {
        byte[] bytes = SnapshotCodec.encode(sample());
        bytes[SnapshotCodec.VERSION_OFFSET] = SnapshotCodec.VERSION + 1;
        assertThatThrownBy(() -> SnapshotCodec.decode(bytes)).isInstanceOf(MalformedRecordException.class)
            .hasMessageContaining("snapshot version");
    }

    @Test
    void imageSurvivesTheRoundTripByteForByte() {
        MetadataImage image = sample();
        byte[] bytes = SnapshotCodec.encode(image);
        MetadataImage back = SnapshotCodec.decode(bytes);
        assertThat(back).isEqualTo(image);
        assertThat(back.topic("t").topicId()).isEqualTo(image.topic("t").topicId());
        assertThat(back.clientQuotas()).isEqualTo(image.clientQuotas()).hasSize(2);
        assertThat(back.groupConfigs()).isEqualTo(Map.of("g1", Map.of("consumer.session.timeout.ms", "50000")));
        assertThat(SnapshotCodec.encode(back)).isEqualTo(bytes);
    }

    @Test
    void everyFlippedByteAndEveryTruncationIsDetected() {
        byte[] bytes = SnapshotCodec.encode(sample());
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= 0x5a;
            int at = i;
            assertThatThrownBy(() -> SnapshotCodec.decode(damaged)).as("flip at %d", at)
                .isInstanceOf(MalformedRecordException.class);
        }
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> SnapshotCodec.decode(cut)).isInstanceOf(MalformedRecordException.class);
        }
    }
}
