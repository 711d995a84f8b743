package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kafka 4.4's own sample {@code config/server.properties} starts Sluice with only its ports and
 * data directory changed (issue 11, item 8). The resource is that file: Kafka's KRaft sample
 * (config/kraft/server.properties, which became config/server.properties in 4.0) with 4.x's
 * {@code controller.quorum.bootstrap.servers} in place of the static voter. The settings Sluice
 * does not implement start the broker with one warning each that names it.
 */
@Timeout(180)
class KafkaSampleConfigTest {

    private static String kafkaSample() throws Exception {
        try (InputStream in = KafkaSampleConfigTest.class.getResourceAsStream("kafka-4.4-server.properties")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void kafkasSampleConfigStartsWithOneWarningPerSettingWithoutEffect() throws Exception {
        String config = kafkaSample().replace(":9092", ":{clientPort}").replace(":9093", ":{quorumPort}")
                .replace("/tmp/kraft-combined-logs", "{dir}/data/logs");
        try (BrokerProcess broker = BrokerProcess.startWithConfigFile(config)) {
            String log = broker.log();
            // share.coordinator.state.topic.replication.factor has an effect: __share_group_state's replication.
            for (String setting : List.of("share.coordinator.state.topic.min.isr", "controller.quorum.bootstrap.servers",
                    "num.io.threads")) {
                assertThat(log.lines().filter(l -> l.contains(" WARN ") && l.contains("Setting " + setting + " has no effect")))
                        .as("one warning naming %s", setting).hasSize(1);
            }
            try (Admin admin = Clients.admin(broker.bootstrap());
                 KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
                admin.createTopics(List.of(new NewTopic("sample", 1, (short) 1))).all().get();
                assertThat(producer.send(new ProducerRecord<>("sample", "v".getBytes())).get().offset()).isZero();
            }
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log())).isEmpty();
        }
    }
}
