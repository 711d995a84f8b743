package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.command.AlterClientQuotas;
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
        return h.image;
    }

    /**
     * A version 1 snapshot: version 2 is version 1 plus a trailing client quota list, so a version 1
     * record is the version 2 record of a quota-free image without that list's (zero) count.
     */
    private static byte[] asVersion1(MetadataImage quotaFree) {
        byte[] v2 = SnapshotCodec.encode(quotaFree);
        byte[] v1 = Arrays.copyOf(v2, v2.length - Integer.BYTES);
        ByteBuffer b = ByteBuffer.wrap(v1);
        b.put(SnapshotCodec.VERSION_OFFSET, (byte) 1);
        int length = v1.length - SnapshotCodec.HEADER_LENGTH;
        b.putInt(SnapshotCodec.LENGTH_OFFSET, length);
        CRC32C crc = new CRC32C();
        crc.update(v1, SnapshotCodec.VERSION_OFFSET, SnapshotCodec.CRC_OFFSET - SnapshotCodec.VERSION_OFFSET);
        crc.update(v1, SnapshotCodec.HEADER_LENGTH, length);
        b.putInt(SnapshotCodec.CRC_OFFSET, (int) crc.getValue());
        return v1;
    }

    @Test
    void aVersion1SnapshotStillDecodesWithNoClientQuotas() {
        MetadataImage withQuotas = sample();
        ImageBuilder b = new ImageBuilder(withQuotas);
        withQuotas.clientQuotas().keySet().forEach(e -> b.putClientQuotas(e, Map.of()));
        MetadataImage quotaFree = b.build();
        assertThat(withQuotas.clientQuotas()).hasSize(2);

        MetadataImage back = SnapshotCodec.decode(asVersion1(quotaFree));
        assertThat(back).isEqualTo(quotaFree);
        assertThat(back.clientQuotas()).isEmpty();
        assertThat(back.topic("t").configs()).containsEntry("retention.ms", "1000");
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
