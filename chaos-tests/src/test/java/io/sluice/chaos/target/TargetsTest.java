package io.sluice.chaos.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster targets start what they say, with one config for both systems (nothing tuned for one side). */
class TargetsTest {

    @Test
    void sluiceAndKafkaClustersGetTheSameServerProperties(@TempDir Path dir) throws Exception {
        Path home = sluiceCheckout(dir.resolve("sluice"));
        Path classpath = Files.writeString(dir.resolve("kafka.classpath"), "/nowhere/kafka.jar");

        TargetSpec sluice = Targets.sluiceCluster(home, 3);
        TargetSpec kafka = Targets.kafkaCluster(classpath);

        // Every Kafka setting the same; Sluice's own only places its metrics endpoint.
        Map<String, String> sluiceOwn = new HashMap<>(sluice.properties());
        sluiceOwn.keySet().removeAll(kafka.properties().keySet());
        assertThat(sluiceOwn).containsOnlyKeys("sluice.metrics.listener");
        assertThat(sluice.properties()).containsAllEntriesOf(kafka.properties());
        assertThat(sluice.properties()).containsEntry("min.insync.replicas", "2")
                .containsEntry("default.replication.factor", "3")
                .containsEntry("controller.quorum.voters", "${voters}");
        assertThat(sluice.startCommand()).containsExactly("env", "SLUICE_NO_BUILD=1",
                home.resolve("bin/sluice").toString(), "start", "${config}");
        assertThat(sluice.formatCommand()).isEmpty();
    }

    @Test
    void anUnbuiltCheckoutIsRefusedSayingHowToBuildIt(@TempDir Path dir) throws Exception {
        Path home = sluiceCheckout(dir);
        Files.delete(home.resolve("server/target/sluice-server-0.1.0-SNAPSHOT.jar"));

        assertThatThrownBy(() -> Targets.sluiceCluster(home, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mvn -B -q -DskipTests -pl server -am package");
    }

    /** What the target needs of a checkout: an executable bin/sluice and a built server jar. */
    private static Path sluiceCheckout(Path home) throws Exception {
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("server/target"));
        Files.writeString(home.resolve("bin/sluice"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(home.resolve("bin/sluice"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("server/target/sluice-server-0.1.0-SNAPSHOT.jar"), "");
        return home;
    }
}
