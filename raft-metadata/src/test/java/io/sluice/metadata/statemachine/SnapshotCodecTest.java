package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.image.MetadataImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
        return h.image;
    }

    @Test
    void imageSurvivesTheRoundTripByteForByte() {
        MetadataImage image = sample();
        byte[] bytes = SnapshotCodec.encode(image);
        MetadataImage back = SnapshotCodec.decode(bytes);
        assertThat(back).isEqualTo(image);
        assertThat(back.topic("t").topicId()).isEqualTo(image.topic("t").topicId());
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
