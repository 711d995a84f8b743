package io.sluice.bench.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.bench.broker.workload.LoadResult;
import io.sluice.bench.broker.workload.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClusterHarnessTest {
    private static final Workload ACKS_ALL = Workload.produce(8, "all", 0);
    private static final Workload ACKS_ALL_64K = Workload.produce(8, "all", 65_536);
    private static final Workload E2E = Workload.endToEnd(8, 5_000);

    @Test
    void isrRateIsHalfTheBestSuccessfulAcksAllProduceRate() {
        List<LoadResult> measured = List.of(result(ACKS_ALL, 40_000), result(ACKS_ALL_64K, 60_000), result(E2E, 5_000),
                LoadResult.failed(ACKS_ALL_64K, "sluice", 2, "broker did not start"));

        assertThat(ClusterHarness.halfOfMaximum(measured)).hasValue(30_000);
    }

    @Test
    void noSuccessfulProduceMeansNoIsrRate() {
        assertThat(ClusterHarness.halfOfMaximum(List.of(result(E2E, 5_000),
                LoadResult.failed(ACKS_ALL, "sluice", 1, "node exited")))).isEmpty();
    }

    private static LoadResult result(Workload workload, double recordsPerSec) {
        return new LoadResult(workload.id(), "sluice", 1, (long) recordsPerSec, (long) recordsPerSec * 1024, 1,
                recordsPerSec, recordsPerSec / 1024, null, 1, 1, 1, 1, 0, 0, null);
    }
}
