package io.sluice.metadata.node;

import io.sluice.metadata.codec.ResultCodec;
import io.sluice.metadata.command.CommandType;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.UnregisterBroker;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SingleNodeTest {
    @TempDir
    Path dir;

    private MetadataNodeConfig config(int port) {
        return MetadataNodeConfig.builder().nodeId(1).voters("1@127.0.0.1:" + port).metadataDir(dir).build();
    }

    @Test
    void combinedNodeRegistersBrokerCreatesTopicAndRestartsOnSameDir() throws Exception {
        int port = TestPorts.freePort();
        String topicId;
        try (MetadataNode node = MetadataNode.start(config(port))) {
            assertThat(node.awaitReady(20_000)).isTrue();
            var lifecycle = node.startBroker(List.of(new Endpoint("PLAINTEXT", "localhost", 9092, (short) 0)),
                Optional.empty());
            lifecycle.awaitUnfenced().get(20, TimeUnit.SECONDS);
            assertThat(node.image().unfencedBrokers()).extracting(b -> b.brokerId()).containsExactly(1);

            CreateTopics.Result r = node.client().submit(new CreateTopics(
                List.of(CreateTopics.NewTopic.of("orders", 3, 1)), false)).get(20, TimeUnit.SECONDS);
            assertThat(r.topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
            // Read-your-writes: the local image already has the topic.
            TopicImage t = node.image().topic("orders");
            assertThat(t).isNotNull();
            assertThat(t.partitionCount()).isEqualTo(3);
            assertThat(t.partition(0).leader()).isEqualTo(1);
            topicId = t.topicId().toString();

            CreateTopics.Result again = node.client().submit(new CreateTopics(
                List.of(CreateTopics.NewTopic.of("orders", 3, 1)), false)).get(20, TimeUnit.SECONDS);
            assertThat(again.topics().get(0).errorCode()).isEqualTo(ErrorCodes.TOPIC_ALREADY_EXISTS);
        }
        try (MetadataNode node = MetadataNode.start(config(port))) {
            assertThat(node.awaitReady(20_000)).isTrue();
            MetadataImage image = node.image();
            assertThat(image.topic("orders")).isNotNull();
            assertThat(image.topic("orders").topicId().toString()).isEqualTo(topicId);
        }
    }

    /**
     * A restart inside the old session: the broker names its previous epoch from its locked epoch
     * file and is serving again at once. With a 10-minute session, waiting for it to expire instead
     * would blow the test's timeout.
     */
    @Test
    void restartedBrokerSucceedsItsLiveSessionThroughItsEpochFile() throws Exception {
        int port = TestPorts.freePort();
        MetadataNodeConfig config = MetadataNodeConfig.builder().nodeId(1).voters("1@127.0.0.1:" + port)
            .metadataDir(dir).brokerSessionTimeoutMs(600_000).build();
        List<Endpoint> endpoints = List.of(new Endpoint("PLAINTEXT", "localhost", 9092, (short) 0));
        long firstEpoch;
        try (MetadataNode node = MetadataNode.start(config)) {
            assertThat(node.awaitReady(20_000)).isTrue();
            var lifecycle = node.startBroker(endpoints, Optional.empty());
            lifecycle.awaitUnfenced().get(20, TimeUnit.SECONDS);
            firstEpoch = lifecycle.brokerEpoch();
            node.client().submit(new CreateTopics(List.of(CreateTopics.NewTopic.of("orders", 1, 1)), false))
                .get(20, TimeUnit.SECONDS);
        }
        try (MetadataNode node = MetadataNode.start(config)) {
            assertThat(node.awaitReady(20_000)).isTrue();
            var lifecycle = node.startBroker(endpoints, Optional.empty());
            lifecycle.awaitUnfenced().get(20, TimeUnit.SECONDS);
            assertThat(lifecycle.brokerEpoch()).isGreaterThan(firstEpoch);
            await().atMost(Duration.ofSeconds(20))
                .until(() -> node.image().topic("orders").partition(0).leader() == 1);
        }
    }

    @Test
    void malformedAndUnknownVersionCommandsAreRejectedWithoutChangingTheImage() throws Exception {
        int port = TestPorts.freePort();
        try (MetadataNode node = MetadataNode.start(config(port))) {
            assertThat(node.awaitReady(20_000)).isTrue();
            var client = ((QuorumNode) node).ratisClient();
            MetadataImage before = node.image();
            byte[][] bad = {
                {},                                         // empty
                {(byte) 99, 0},                              // unknown type
                {CommandType.UNREGISTER_BROKER.id(), 9, 0, 0, 0, 1}, // unknown version
                {CommandType.CREATE_TOPICS.id(), 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // absurd count
            };
            short[] expected = {ErrorCodes.INVALID_REQUEST, ErrorCodes.INVALID_REQUEST, ErrorCodes.UNSUPPORTED_VERSION,
                ErrorCodes.INVALID_REQUEST};
            for (int i = 0; i < bad.length; i++) {
                var reply = client.submitBytes(bad[i]).get(20, TimeUnit.SECONDS);
                assertThat(reply.failure()).isNull();
                var decoded = ResultCodec.decode(new UnregisterBroker(1), reply.result());
                assertThat(decoded.errorCode()).as("case %d", i).isEqualTo(expected[i]);
            }
            MetadataImage after = node.image();
            assertThat(after.offset()).isGreaterThan(before.offset());
            assertThat(after.sameContent(before)).isTrue();
        }
    }

    @Test
    void refusesToStartWithDifferentVoters() throws Exception {
        int port = TestPorts.freePort();
        try (MetadataNode node = MetadataNode.start(config(port))) {
            assertThat(node.awaitReady(20_000)).isTrue();
        }
        MetadataNodeConfig other = MetadataNodeConfig.builder().nodeId(1)
            .voters("1@127.0.0.1:" + port + ",2@127.0.0.1:" + TestPorts.freePort()).metadataDir(dir).build();
        assertThatThrownBy(() -> MetadataNode.start(other))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("1@127.0.0.1:" + port + ",2@")
            .hasMessageContaining("differs from 1@127.0.0.1:" + port + " recorded in");
    }
}
