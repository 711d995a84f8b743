package io.sluice.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.bench.broker.report.ResultsJson;
import io.sluice.bench.broker.report.RunResults;
import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.Workload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI smoke test of the harness: a real run in smoke mode (seconds per workload, one repetition)
 * against a real Apache Kafka 4.4.0 process and a real Sluice process (this checkout's bin/sluice).
 * Checks the run finishes and writes its report, JSON and charts, and that both brokers measured
 * every workload: a Sluice that is missing, or whose every workload "failed with a reason", fails
 * the test instead of passing as an empty half. Asserts no timing.
 */
@Tag("slow")
class SideBySideSmokeTest {
    /** The repository root: surefire runs in bench/. */
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();

    @Test
    // Expected 1-2.5 min (two broker starts dominate); the bound leaves room for a crowded machine.
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void smokeRunWritesReportJsonAndCharts(@TempDir Path out) throws Exception {
        assertThat(HOME.resolve("bin/sluice")).as("this checkout's start script").isExecutable();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);

        int exit = SideBySide.run(tee, "--mode", "smoke", "--candidate", "sluice", "--home", HOME.toString(),
                "--partitions", "1,8", "--out", out.toString());

        assertThat(exit).isZero();
        RunResults run = ResultsJson.read(out.resolve("results.json"));
        assertThat(run.workloads()).hasSize(4);
        assertThat(run.unavailable()).as("brokers the run could not start").isEmpty();
        for (String broker : List.of("kafka", "sluice")) {
            assertEveryWorkloadMeasured(run, broker);
        }
        String report = Files.readString(out.resolve("report.md"));
        for (Workload workload : run.workloads()) {
            assertThat(report).contains("| " + workload.label() + " |");
        }
        for (String png : List.of("throughput.png", "latency.png", "cost.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).as(png).isGreaterThan(500);
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("rep 1/1 · kafka · produce");
        assertThat(out.resolve("work")).doesNotExist();
    }

    @Test
    @Tag("reference") // a cluster of each system: outside the default run (README, "Tests")
    // Expected 3-5 min (six broker starts, one kill and restart per system); bounded for a crowded machine.
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void clusterSmokeRunMeasuresBothThreeNodeClustersIncludingIsrAndFailover(@TempDir Path out) throws Exception {
        assertThat(HOME.resolve("bin/sluice")).as("this checkout's start script").isExecutable();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);

        int exit = SideBySide.run(tee, "--mode", "smoke", "--nodes", "3", "--home", HOME.toString(),
                "--out", out.toString());

        assertThat(exit).isZero();
        RunResults run = ResultsJson.read(out.resolve("results.json"));
        assertThat(run.nodes()).isEqualTo(3);
        assertThat(run.unavailable()).as("clusters the run could not start").isEmpty();
        for (String broker : List.of("kafka", "sluice")) {
            assertEveryWorkloadMeasured(run, broker);
            assertThat(run.isrRuns()).filteredOn(r -> r.broker().equals(broker)).singleElement().satisfies(r -> {
                assertThat(r.error()).as(broker + " ISR run").isNull();
                assertThat(r.acked()).as(broker + " ISR run").isPositive();
                assertThat(r.observations()).as(broker + " ISR observations").isPositive();
                assertThat(r.minIsrSize()).as(broker + " ISR size").isEqualTo(3);
            });
            assertThat(run.failovers()).filteredOn(f -> f.broker().equals(broker)).singleElement().satisfies(f -> {
                assertThat(f.error()).as(broker + " failover").isNull();
                assertThat(f.runs()).as(broker + " failover runs").hasSize(1);
                assertThat(f.runs().get(0).newLeader()).as(broker + " new leader")
                        .isNotEqualTo(f.runs().get(0).killedNode());
            });
        }
        assertThat(Files.readString(out.resolve("report.md"))).contains("3-node clusters", "kill -9", "ISR stability");
        assertThat(out.resolve("logs/sluice-r1/node-3")).isDirectory();
        assertThat(out.resolve("work")).doesNotExist();
    }

    /** One row per workload for {@code broker}, in order, each measured: no error, records, cost, latency. */
    private static void assertEveryWorkloadMeasured(RunResults run, String broker) {
        List<LoadResult> rows = run.results().stream().filter(r -> r.broker().equals(broker)).toList();
        assertThat(rows.stream().map(LoadResult::workload)).as(broker + "'s workloads")
                .containsExactlyElementsOf(run.workloads().stream().map(Workload::id).toList());
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.error()).as(broker + " " + r.workload()).isNull();
            assertThat(r.records()).as(broker + " " + r.workload()).isPositive();
            assertThat(r.brokerCpuSeconds()).as(broker + " " + r.workload()).isPositive();
            assertThat(r.peakRssBytes()).as(broker + " " + r.workload()).isPositive();
        });
        assertThat(rows.stream().filter(r -> r.workload().startsWith("e2e")).findFirst().orElseThrow().latency().count())
                .as(broker + " e2e latencies").isPositive();
    }

    /** Writes to two streams: the test keeps the console, the build log shows the progress. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int value) throws IOException {
            a.write(value);
            b.write(value);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            a.write(bytes, offset, length);
            b.write(bytes, offset, length);
        }
    }
}
