package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The process lifecycle: bad config stops the start naming the setting; SIGTERM is clean; data is reused. */
@Tag("slow")
@Timeout(180)
class StartStopTest {

    private static Process main(Path config) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : BrokerProcess.jvmFlags().trim().split("\\s+")) {
            cmd.add(f);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sluice.server.Main", "start", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void unknownOrInvalidSettingStopsTheStartNamingIt(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "node.id=1\nlog.dirs=" + dir.resolve("d") + "\nlog.retention.hourz=5\n");
        Process p = main(config);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("Unknown configuration log.retention.hourz");

        Files.writeString(config, "node.id=1\nlog.dirs=" + dir.resolve("d") + "\nmessage.max.bytes=-3\n");
        p = main(config);
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("message.max.bytes");
        assertThat(Files.exists(dir.resolve("d"))).as("nothing created").isFalse();
    }

    @Test
    void sigtermStopsCleanlyAndASecondStartReusesTheData() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start()) {
            try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "all", true, "none")) {
                for (int i = 0; i < 10; i++) {
                    p.send(new ProducerRecord<>("kept", 0, null, ("v" + i).getBytes())).get();
                }
            }
            int exit = broker.stop();
            assertThat(exit).as("JVM exit after SIGTERM").isEqualTo(143);
            assertThat(broker.log()).contains("Sluice broker 1 stopped in");
            assertThat(BrokerProcess.errorsAndStackTraces(broker.log()))
                    .as("ERROR lines or stack traces in the broker log").isEmpty();

            broker.restart();
            assertThat(Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("kept", 0)), 10,
                    Duration.ofSeconds(30))).hasSize(10);
            try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
                assertThat(p.send(new ProducerRecord<>("kept", 0, null, "more".getBytes())).get().offset()).isEqualTo(10);
            }
        }
    }

    @Test
    void sluiceScriptPrintsHelp() throws Exception {
        Path script = Path.of(System.getProperty("sluice.root", Path.of(System.getProperty("user.dir")).getParent().toString()),
                "bin", "sluice");
        Process p = new ProcessBuilder(script.toString(), "--help").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("start [server.properties]");
        p = new ProcessBuilder(script.toString(), "start", "/nonexistent/server.properties").redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("config file not found");
    }
}
