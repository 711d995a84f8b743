package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose only log dir fills up halts with exit code 1, as Kafka's does, instead of living
 * on without serving (the chaos suite found such a zombie). The disk is a real 4 MiB tmpfs
 * (needs root and mount permission; skipped otherwise).
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DiskFullTest {

    @TempDir
    Path tmp;

    @Test
    void brokerHaltsWhenItsOnlyLogDirFails() throws Exception {
        Path mount = tmp.resolve("tiny");
        Files.createDirectories(mount);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (not root or no mount permission): skipping");
        try (BrokerProcess broker = BrokerProcess.start(Map.of("log.dirs", mount.resolve("logs").toString(),
                "log.segment.bytes", "1048576"))) {
            byte[] value = new byte[16 * 1024];
            try (KafkaProducer<byte[], byte[]> p = Clients.producer(broker.bootstrap(), "1", false, "none")) {
                for (int i = 0; i < 2_000 && broker.isAlive(); i++) {
                    try {
                        p.send(new ProducerRecord<>("fill", 0, null, value)).get(10, TimeUnit.SECONDS);
                    } catch (Exception expectedOnceFull) {
                        break;
                    }
                }
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> !broker.isAlive());
            assertThat(broker.stop()).as("exit code").isEqualTo(1);
            assertThat(broker.log()).contains("every log dir is offline");
        } finally {
            run("umount", "-l", mount.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
