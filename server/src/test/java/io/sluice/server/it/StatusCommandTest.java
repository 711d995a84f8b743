package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.tools.status.StatusCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code bin/sluice status} against a real broker process: every section shows what the clients did. */
@Timeout(120)
class StatusCommandTest {

    /** Runs the status command and returns what it printed. */
    static String status(String bootstrap, int timeoutMs) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit = new CommandLine(new StatusCommand(new PrintStream(buffer, true, StandardCharsets.UTF_8)))
                .execute("--bootstrap", bootstrap, "--timeout-ms", Integer.toString(timeoutMs));
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        return out;
    }

    @Test
    void everySectionShowsTheCluster() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(Map.of());
             Admin admin = Clients.admin(broker.bootstrap())) {
            admin.createTopics(List.of(new NewTopic("busy", 2, (short) 1), new NewTopic("quiet", 1, (short) 1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>("busy", 0, null, new byte[1000])).get();
                }
            }
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "readers");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                consumer.commitSync(Map.of(new TopicPartition("busy", 0), new OffsetAndMetadata(5)), Duration.ofSeconds(30));
            }

            String out = status(broker.bootstrap(), 10_000);

            assertThat(out).contains("1 brokers, controller 1")
                    .containsPattern("  1 +localhost:" + broker.clientPort() + " +rack - +alive +http://localhost:"
                            + broker.metricsPort() + "/metrics")
                    .contains("QUORUM  leader 1,")
                    .containsPattern("voter 1 +log end \\d+ +lag 0 ")
                    .containsPattern("PARTITIONS  \\d+ in all, 0 under-replicated, 0 under min ISR, 0 offline")
                    .containsPattern("broker 1 +online +/")
                    .containsPattern("  busy +in +\\d+\\.\\d KiB")
                    .containsPattern("  readers +Classic +\\w+ +lag 15 ")
                    .doesNotContain("NOT READ");
            String metrics = MetricsScrape.text(broker);
            assertThat(MetricsScrape.sum(metrics, "sluice_groups", "type=\"classic\"", "state=\"Empty\"")).as(metrics)
                    .isEqualTo(1);
            assertThat(MetricsScrape.sum(metrics, "sluice_group_members", "type=\"classic\"")).isZero();
            assertThat(out.indexOf("  busy ")).as("busy before quiet (by bytes in)").isLessThan(
                    out.indexOf("  quiet ") < 0 ? Integer.MAX_VALUE : out.indexOf("  quiet "));
        }
    }
}
