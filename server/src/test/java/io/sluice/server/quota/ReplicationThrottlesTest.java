package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.storage.TopicPartitionId;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which rates and replicas broker 2 throttles, by Kafka's precedence and replica-list reading, from the image. */
@Timeout(10)
class ReplicationThrottlesTest {

    private final ReplicationThrottles throttles = new ReplicationThrottles(2, 11, 1, Time.SYSTEM);

    private static TopicImage topic(String name, Map<String, String> configs) {
        return new TopicImage(name, UUID.nameUUIDFromBytes(name.getBytes()), new PartitionImage[0], configs);
    }

    @Test
    void ratesComeFromThisBrokersValueThenTheClusterDefaultThenUnthrottled() {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("c"));
        throttles.onMetadata(b.build());
        assertThat(throttles.leader().rateBytesPerSecond()).isEqualTo(Long.MAX_VALUE);
        b.putBrokerConfigs("", Map.of(ReplicationThrottles.LEADER_RATE, "1000", ReplicationThrottles.FOLLOWER_RATE, "3000"));
        b.putBrokerConfigs("2", Map.of(ReplicationThrottles.LEADER_RATE, "500"));
        b.putBrokerConfigs("3", Map.of(ReplicationThrottles.FOLLOWER_RATE, "7"));
        throttles.onMetadata(b.build());
        assertThat(throttles.leader().rateBytesPerSecond()).isEqualTo(500);
        assertThat(throttles.follower().rateBytesPerSecond()).as("another broker's value is not this one's").isEqualTo(3000);
        b.putBrokerConfigs("2", Map.of());
        b.putBrokerConfigs("", Map.of());
        throttles.onMetadata(b.build());
        assertThat(throttles.leader().rateBytesPerSecond()).as("removed without a restart").isEqualTo(Long.MAX_VALUE);
        assertThat(throttles.follower().rateBytesPerSecond()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void eachSideThrottlesTheReplicasItsListNamesForThisBroker() {
        ImageBuilder b = new ImageBuilder(MetadataImage.empty("c"));
        b.putTopic(topic("a", Map.of("leader.replication.throttled.replicas", "*")));
        b.putTopic(topic("b", Map.of("follower.replication.throttled.replicas", "0:2,1:3,4:2")));
        b.putTopic(topic("c", Map.of()));
        throttles.onMetadata(b.build());
        assertThat(throttles.isLeaderThrottled(new TopicPartitionId("a", 9))).isTrue();
        assertThat(throttles.follower().isThrottled(new TopicPartitionId("a", 9))).isFalse();
        assertThat(throttles.follower().isThrottled(new TopicPartitionId("b", 0))).isTrue();
        assertThat(throttles.follower().isThrottled(new TopicPartitionId("b", 1))).as("broker 3's replica").isFalse();
        assertThat(throttles.follower().isThrottled(new TopicPartitionId("b", 4))).isTrue();
        assertThat(throttles.isLeaderThrottled(new TopicPartitionId("c", 0))).isFalse();

        b.putTopic(topic("a", Map.of()));
        throttles.onMetadata(b.build());
        assertThat(throttles.isLeaderThrottled(new TopicPartitionId("a", 9))).as("removed without a restart").isFalse();
    }
}
