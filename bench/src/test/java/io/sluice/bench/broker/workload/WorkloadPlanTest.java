package io.sluice.bench.broker.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WorkloadPlanTest {
    private static final List<Integer> PARTITIONS = List.of(1, 8, 64);
    private static final List<Integer> RATES = List.of(5_000, 20_000);

    @Test
    void fullPlanCoversEveryProducerVariantConsumerAndRateAtEveryPartitionCount() {
        List<Workload> plan = WorkloadPlan.full(PARTITIONS, RATES);

        assertThat(plan).hasSize(3 * 4 + 3 + 3 * 2);
        assertThat(plan).extracting(Workload::id).doesNotHaveDuplicates()
                .contains("produce-acks1-batchdefault-p1", "produce-acksall-batch64k-p64", "consume-p8",
                        "e2e-20k-per-s-p64");
    }

    @Test
    void quickPlanKeepsOneOfEachDimension() {
        List<Workload> plan = WorkloadPlan.quick(PARTITIONS, RATES);

        assertThat(plan).extracting(Workload::id).containsExactly(
                "produce-acks1-batchdefault-p8", "produce-acks1-batch64k-p8",
                "produce-acksall-batchdefault-p8", "produce-acksall-batch64k-p8",
                "produce-acks1-batchdefault-p1", "produce-acks1-batchdefault-p64",
                "consume-p1", "consume-p8", "consume-p64", "e2e-5k-per-s-p8", "e2e-20k-per-s-p8");
    }

    @Test
    void filterKeepsMatchingIds() {
        assertThat(WorkloadPlan.filter(WorkloadPlan.full(PARTITIONS, RATES), "^e2e|consume-p64"))
                .extracting(Workload::id).hasSize(7).allMatch(id -> id.startsWith("e2e") || id.equals("consume-p64"));
    }

    @Test
    void labelsNameTheSettings() {
        assertThat(Workload.produce(8, "all", 65_536).label()).isEqualTo("produce acks=all batch=64k p=8");
        assertThat(Workload.endToEnd(1, 20_000).label()).isEqualTo("e2e 20,000/s p=1");
    }

    @Test
    void clusterPlanIsTheAcksAllProducerAndEachRateAtEachCount() {
        assertThat(WorkloadPlan.cluster("quick", List.of(8), RATES)).extracting(Workload::id)
                .containsExactly("produce-acksall-batchdefault-p8", "e2e-5k-per-s-p8", "e2e-20k-per-s-p8");
        assertThat(WorkloadPlan.cluster("full", List.of(8), RATES)).extracting(Workload::id)
                .contains("produce-acksall-batch64k-p8");
        assertThat(WorkloadPlan.cluster("smoke", List.of(8), RATES)).extracting(Workload::id)
                .containsExactly("produce-acksall-batchdefault-p8", "e2e-5k-per-s-p8");
    }
}
