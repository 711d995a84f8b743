package io.sluice.bench.broker.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClusterConfigTest {
    private static final ClusterLayout LAYOUT = new ClusterLayout(List.of(4001, 4002, 4003), List.of(5001, 5002, 5003));
    /** The repository root: surefire runs in bench/. */
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();

    @Test
    void layoutNamesEveryNodeAsVoterAndBootstrapServer() {
        assertThat(LAYOUT.voters()).isEqualTo("1@127.0.0.1:5001,2@127.0.0.1:5002,3@127.0.0.1:5003");
        assertThat(LAYOUT.bootstrap()).isEqualTo("127.0.0.1:4001,127.0.0.1:4002,127.0.0.1:4003");
        assertThat(LAYOUT.listeners(2)).isEqualTo("PLAINTEXT://127.0.0.1:4002,CONTROLLER://127.0.0.1:5002");
        assertThat(LAYOUT.nodeIds()).containsExactly(1, 2, 3);
    }

    @Test
    void layoutRefusesSharedPortsAndMismatchedLists() {
        assertThatThrownBy(() -> new ClusterLayout(List.of(4001, 4002), List.of(4002, 5002)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
        assertThatThrownBy(() -> new ClusterLayout(List.of(4001), List.of(5001, 5002)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void freePortLayoutHasDistinctPorts() {
        ClusterLayout layout = ClusterLayout.onFreePorts(3);

        Set<Integer> ports = new HashSet<>(layout.clientPorts());
        ports.addAll(layout.controllerPorts());
        assertThat(ports).hasSize(6);
    }

    @Test
    void kafkaNodeIsTheSampleConfigWithItsIdPortsAndStaticVotersOnKafkasReplicationDefaults() {
        String props = KafkaClusterTarget.nodeProperties(Path.of("/w/node-2/data"), LAYOUT, 2);

        assertThat(props.lines()).contains("process.roles=broker,controller", "node.id=2",
                "controller.quorum.voters=1@127.0.0.1:5001,2@127.0.0.1:5002,3@127.0.0.1:5003",
                "listeners=PLAINTEXT://127.0.0.1:4002,CONTROLLER://127.0.0.1:5002",
                "advertised.listeners=PLAINTEXT://127.0.0.1:4002", "log.dirs=/w/node-2/data", "num.io.threads=8",
                "inter.broker.listener.name=PLAINTEXT");
        // The sample's single-node settings are gone; nothing tunes replication either way.
        assertThat(props).doesNotContain("controller.quorum.bootstrap.servers", "replication.factor", "min.isr",
                "min.insync.replicas", "replica.");
    }

    @Test
    void sluiceNodeIsTheExampleClusterConfigWithItsIdPortsAndDirectories() throws Exception {
        List<String> template = Files.readAllLines(HOME.resolve(SluiceClusterTarget.TEMPLATE));

        String props = SluiceClusterTarget.nodeProperties(template, Path.of("/w/node-3"), LAYOUT, 3,
                Map.of("log.segment.bytes", ""));

        assertThat(props.lines()).contains("node.id=3", "process.roles=broker,controller",
                "listeners=PLAINTEXT://127.0.0.1:4003,CONTROLLER://127.0.0.1:5003",
                "advertised.listeners=PLAINTEXT://127.0.0.1:4003",
                "controller.quorum.voters=1@127.0.0.1:5001,2@127.0.0.1:5002,3@127.0.0.1:5003",
                "log.dirs=/w/node-3/data", "metadata.log.dir=/w/node-3/metadata");
        // The example's own settings stay; the fixed example ports and relative data dirs do not.
        assertThat(props).contains("default.replication.factor=3").doesNotContain("9092", "9093", "data/node-",
                "log.segment.bytes");
    }
}
