package io.sluice.bench.broker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class SluiceTargetTest {

    @Test
    void sampleConfigGetsThisRunsListenersAndDataDirAndOverrides() {
        List<String> sample = List.of("# comment", "node.id=7", "listeners=PLAINTEXT://localhost:9092",
                "log.dirs=data", "metadata.log.dir=data/metadata", "num.partitions = 3", "log.segment.bytes=1073741824");

        String props = SluiceTarget.serverProperties(sample, Path.of("/tmp/run/data"), 4000, 4001,
                Map.of("log.segment.bytes", "", "message.max.bytes", "2000000", "log.flush.interval.ms", "{dataDir}/x"));

        assertThat(props.lines()).contains("node.id=1", "num.partitions=3",
                "listeners=PLAINTEXT://127.0.0.1:4000,CONTROLLER://127.0.0.1:4001",
                "advertised.listeners=PLAINTEXT://127.0.0.1:4000", "controller.quorum.voters=1@127.0.0.1:4001",
                "log.dirs=/tmp/run/data", "metadata.log.dir=/tmp/run/metadata", "message.max.bytes=2000000",
                "log.flush.interval.ms=/tmp/run/data/x");
        assertThat(props).doesNotContain("comment", "log.segment.bytes", "9092");
    }

    @Test
    void metricsTakeAFreePortAndAnEmptyOverrideTurnsThemOff() {
        List<String> sample = List.of("node.id=1", "sluice.metrics.listener=http://localhost:9644");
        assertThat(SluiceTarget.serverProperties(sample, Path.of("/d"), 1, 2, Map.of()).lines())
                .contains("sluice.metrics.listener=http://127.0.0.1:0");
        assertThat(SluiceTarget.serverProperties(sample, Path.of("/d"), 1, 2, Map.of("sluice.metrics.listener", "")).lines())
                .contains("sluice.metrics.listener=");
    }

    @Test
    void missingStartScriptMakesTheTargetUnavailable(@TempDir Path emptyHome) {
        assertThat(new SluiceTarget(emptyHome, Map.of()).unavailableReason()).get().asString().contains("bin/sluice");
    }

    @Test
    void kafkaConfigIsSingleNodeCombinedMode() {
        String props = KafkaTarget.serverProperties(Path.of("/d"), 5000, 5001);

        assertThat(props.lines()).contains("process.roles=broker,controller", "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:5001", "log.dirs=/d", "offsets.topic.replication.factor=1");
        assertThat(KafkaTarget.jvmFlags()).containsSequence("-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35");
    }
}
