package io.sluice.server.group;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * The groups coordinated here, as the metrics endpoint shows them (Kafka's GroupCoordinatorMetrics):
 * how many groups of each type (classic, consumer, share) are in each state, and how many members
 * they have. Read at scrape time on the coordinator thread, waiting at most two seconds;
 * a scrape that cannot get an answer in time shows no group series. Stateless.
 */
public final class GroupMetrics {

    private static final long READ_TIMEOUT_MS = 2000;

    private record TypeAndState(String type, String state) { }

    private GroupMetrics() { }

    public static void register(PrometheusRegistry registry, GroupCoordinator coordinator) {
        GaugeWithCallback.builder().name("sluice_groups")
                .help("Groups coordinated here, by type (classic, consumer, share) and state (Kafka's state names).")
                .labelNames("type", "state")
                .callback(cb -> {
                    Map<TypeAndState, Integer> counts = new HashMap<>();
                    for (List<ListedGroup> shard : read(coordinator, s -> s.list(Set.of(), Set.of()))) {
                        for (ListedGroup g : shard) {
                            counts.merge(new TypeAndState(g.groupType(), g.groupState()), 1, Integer::sum);
                        }
                    }
                    counts.forEach((key, n) -> cb.call(n, key.type(), key.state()));
                })
                .register(registry);
        GroupRebalances rebalances = coordinator.rebalances();
        CounterWithCallback.builder().name("sluice_group_rebalances_total")
                .help("Group rebalances coordinated here since start, by protocol: classic, a generation that became "
                        + "Stable with its leader's assignment; consumer (KIP-848), a heartbeat that bumped the group epoch.")
                .labelNames("protocol")
                .callback(cb -> {
                    cb.call(rebalances.classic(), "classic");
                    cb.call(rebalances.consumer(), "consumer");
                })
                .register(registry);
        GaugeWithCallback.builder().name("sluice_group_members")
                .help("Members of the groups coordinated here, by group type.")
                .labelNames("type")
                .callback(cb -> {
                    Map<String, Integer> members = new HashMap<>();
                    for (Map<String, Integer> shard : read(coordinator, GroupShard::memberCounts)) {
                        shard.forEach((type, n) -> members.merge(type, n, Integer::sum));
                    }
                    members.forEach((type, n) -> cb.call(n, type));
                })
                .register(registry);
    }

    private static <T> List<T> read(GroupCoordinator coordinator, Function<GroupShard, T> op) {
        try {
            return coordinator.onAllShards(op).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        }
    }
}
