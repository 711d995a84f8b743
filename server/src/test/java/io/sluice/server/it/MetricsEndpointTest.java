package io.sluice.server.it;

import static io.sluice.server.it.MetricsScrape.sum;
import static io.sluice.server.it.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Prometheus endpoint of a real broker process, scraped over HTTP after kafka-clients traffic:
 * request counts by API and version, error codes, the latency split, and the JVM's metrics.
 */
@Timeout(120)
class MetricsEndpointTest {

    private static BrokerProcess broker;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerProcess.start(Map.of());
        admin = Clients.admin(broker.bootstrap());
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void requestsAreCountedByApiVersionAndErrorCodeWithTheirLatencySplit() throws Exception {
        admin.createTopics(List.of(new NewTopic("metered", 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("metered", ("v" + i).getBytes())).get();
            }
        }
        Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("metered", 0)), 10, Duration.ofSeconds(30));
        ExecutionException missing = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> admin.deleteTopics(List.of("no-such-topic")).all().get());
        assertThat(missing).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);

        String text = scrape("text/plain");
        assertThat(sum(text, "sluice_requests_total", "request=\"Produce\"")).as(text).isGreaterThanOrEqualTo(10);
        assertThat(sum(text, "sluice_requests_total", "request=\"Fetch\"")).isGreaterThanOrEqualTo(1);
        assertThat(sum(text, "sluice_request_errors_total", "request=\"Produce\"", "error=\"NONE\"")).isGreaterThanOrEqualTo(10);
        assertThat(sum(text, "sluice_request_errors_total", "request=\"DeleteTopics\"", "error=\"UNKNOWN_TOPIC_OR_PARTITION\""))
                .isEqualTo(1);
        for (String phase : List.of("sluice_request_queue_seconds", "sluice_request_local_seconds",
                "sluice_request_remote_seconds", "sluice_response_queue_seconds", "sluice_response_send_seconds",
                "sluice_request_total_seconds")) {
            assertThat(sum(text, phase + "_count", "request=\"Produce\"")).as(phase).isGreaterThanOrEqualTo(10);
        }
        assertThat(text).contains("# HELP sluice_requests_total ").contains("jvm_memory_used_bytes");
    }

    @Test
    void topicsPartitionsStorageAndQuorumAreShown() throws Exception {
        admin.createTopics(List.of(new NewTopic("shown", 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 7; i++) {
                producer.send(new ProducerRecord<>("shown", ("v" + i).getBytes())).get();
            }
        }
        Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("shown", 0)), 7, Duration.ofSeconds(30));

        String text = scrape("text/plain");
        String topic = "topic=\"shown\"";
        assertThat(sum(text, "sluice_topic_records_in_total", topic)).as(text).isEqualTo(7);
        assertThat(sum(text, "sluice_topic_bytes_in_total", topic)).isGreaterThan(7 * 2);
        assertThat(sum(text, "sluice_topic_produce_requests_total", topic)).isEqualTo(7);
        assertThat(sum(text, "sluice_topic_bytes_out_total", topic)).isGreaterThan(7 * 2);
        assertThat(sum(text, "sluice_topic_failed_produce_requests_total", topic)).isZero();
        assertThat(sum(text, "sluice_partition_log_end_offset", topic, "partition=\"0\"")).isEqualTo(7);
        assertThat(sum(text, "sluice_partition_high_watermark", topic, "partition=\"0\"")).isEqualTo(7);
        assertThat(sum(text, "sluice_partition_log_start_offset", topic, "partition=\"0\"")).isZero();
        assertThat(sum(text, "sluice_partition_segments", topic)).isEqualTo(1);
        assertThat(value(text, "sluice_under_replicated_partitions")).isZero();
        assertThat(value(text, "sluice_offline_partitions")).isZero();
        assertThat(value(text, "sluice_quorum_is_leader")).isEqualTo(1);
        assertThat(value(text, "sluice_quorum_leader_id")).isEqualTo(1);
        assertThat(value(text, "sluice_registered_brokers")).isEqualTo(1);
        assertThat(value(text, "sluice_log_mapped_segments_max")).isEqualTo(2048);
        assertThat(sum(text, "sluice_log_dir_online", "dir=")).isEqualTo(1);
    }

    @Test
    void openMetricsIsServedWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = MetricsScrape.get(broker, "application/openmetrics-text; version=1.0.0");
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/openmetrics-text");
        assertThat(response.body()).endsWith("# EOF\n");
    }

    @Test
    void aTakenMetricsPortStopsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            BrokerProcess.FailedStart f = BrokerProcess.startExpectingFailure(
                    Map.of("sluice.metrics.listener", "http://localhost:" + taken.getLocalPort()));
            assertThat(f.exitCode()).isNotZero();
            assertThat(f.output()).contains("cannot listen for metrics").contains("sluice.metrics.listener");
        }
    }

    private static String scrape(String accept) throws Exception {
        return MetricsScrape.get(broker, accept).body();
    }
}
