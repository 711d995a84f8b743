package io.sluice.server.it;

import static io.sluice.server.it.MetricsScrape.sum;
import static io.sluice.server.it.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        String before = scrape("text/plain");
        double bytesSent;
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrap(), "all", true, "none")) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("metered", ("v" + i).getBytes())).get();
            }
            bytesSent = producerTopicBytes(producer, "metered");
        }
        Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("metered", 0)), 10, Duration.ofSeconds(30));
        ExecutionException missing = assertThrows(ExecutionException.class,
                () -> admin.deleteTopics(List.of("no-such-topic")).all().get());
        assertThat(missing).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);

        String after = scrape("text/plain");
        // One send at a time, each acknowledged before the next: one Produce request per record.
        assertThat(delta(before, after, "sluice_requests_total", "request=\"Produce\"")).as(after).isEqualTo(10);
        assertThat(delta(before, after, "sluice_request_errors_total", "request=\"Produce\"", "error=\"NONE\""))
                .isEqualTo(10);
        assertThat(sum(after, "sluice_topic_bytes_in_total", "topic=\"metered\"")).isCloseTo(bytesSent,
                withPercentage(1));
        assertThat(sum(after, "sluice_requests_total", "request=\"Fetch\"")).isGreaterThanOrEqualTo(1);
        assertThat(delta(before, after, "sluice_request_errors_total", "request=\"DeleteTopics\"",
                "error=\"UNKNOWN_TOPIC_OR_PARTITION\"")).isEqualTo(1);
        for (String phase : List.of("sluice_request_queue_seconds", "sluice_request_local_seconds",
                "sluice_request_remote_seconds", "sluice_response_queue_seconds", "sluice_response_send_seconds",
                "sluice_request_total_seconds")) {
            assertThat(delta(before, after, phase + "_count", "request=\"Produce\"")).as(phase).isEqualTo(10);
        }
        assertThat(after).contains("# HELP sluice_requests_total ").contains("jvm_memory_used_bytes");
    }

    @Test
    void theScrapePassesPromtoolsFormatCheck() throws Exception {
        Path scrape = Files.createTempFile("sluice-metrics", ".txt");
        try {
            Files.writeString(scrape, scrape("text/plain"));
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(scrape.toFile())
                    .redirectErrorStream(true).start();
            String output = new String(promtool.getInputStream().readAllBytes());
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(promtool.exitValue()).as("promtool check metrics (Debian: apt-get install prometheus):%n%s", output)
                    .isZero();
        } finally {
            Files.deleteIfExists(scrape);
        }
    }

    @Test
    void topicsPartitionsStorageAndQuorumAreShown() throws Exception {
        // flush.messages=1: every append is flushed, so the flush histogram counts at least one per record.
        admin.createTopics(List.of(new NewTopic("shown", 1, (short) 1).configs(Map.of("flush.messages", "1"))))
                .all().get();
        double flushesBefore = value(scrape("text/plain"), "sluice_log_flush_seconds_count");
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
        assertThat(value(text, "sluice_log_load_seconds")).isGreaterThanOrEqualTo(0);
        assertThat(value(text, "sluice_log_flush_seconds_count") - flushesBefore).isGreaterThanOrEqualTo(7);
        assertThat(value(text, "sluice_log_flush_seconds_sum")).isPositive();
        assertThat(value(text, "sluice_log_reserved_bytes")).as("reserved ahead of the active segment's writer")
                .isPositive();
        assertThat(value(text, "sluice_metadata_commit_seconds_count")).as("topic creations, registration").isPositive();
    }

    @Test
    void openMetricsIsServedWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = MetricsScrape.get(broker, "application/openmetrics-text; version=1.0.0");
        assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("application/openmetrics-text");
        assertThat(response.body()).endsWith("# EOF\n");
    }

    /** The dashboard in docs/grafana reads only metrics a broker exports (names as they appear in a scrape). */
    @Test
    void theGrafanaDashboardQueriesOnlyExportedMetrics() throws Exception {
        String dashboard = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("docs")
                .resolve("grafana").resolve("sluice.json"));
        String exported = scrape("text/plain");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b((?:sluice|jvm)_[a-z_]+)").matcher(dashboard);
        while (m.find()) {
            names.add(m.group(1));
        }
        // Series that exist only on a leader with followers (none on one node; MetricsClusterTest reads
        // them), only once a group committed (LagVerdictTest reads them) or exists (StatusCommandTest).
        names.removeAll(Set.of("sluice_follower_lag_records", "sluice_follower_lag_bytes", "sluice_follower_lag_seconds",
                "sluice_group_lag_records", "sluice_group_lag_seconds", "sluice_group_lag_status", "sluice_groups",
                "sluice_group_members"));
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(exported).as("exported: " + name)
                .containsPattern("(?m)^(# TYPE )?" + name + "[ {]"));
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

    /** Bytes of record batches the producer sent for {@code topic}: its own {@code byte-total} metric. */
    private static double producerTopicBytes(KafkaProducer<byte[], byte[]> producer, String topic) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("producer-topic-metrics") && e.getKey().name().equals("byte-total")
                        && topic.equals(e.getKey().tags().get("topic")))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElseThrow();
    }

    private static double delta(String before, String after, String name, String... labels) {
        return sum(after, name, labels) - sum(before, name, labels);
    }

    private static String scrape(String accept) throws Exception {
        return MetricsScrape.get(broker, accept).body();
    }
}
