package io.sluice.server.group.lag;

import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.offsets.OffsetManager.Committed;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link LagMonitor} of this broker's groups every {@code sampleIntervalMs} on its own
 * daemon thread. Committed offsets come from the local group coordinator; partitions' ends from
 * their leaders, asked with ListOffsets through an Admin client of this cluster (bootstrapped at
 * this broker's inter-broker endpoint, made at the first commit seen, each call bounded by
 * {@code callTimeoutMs}). A failed round is logged and the next one tries again. Owned by the
 * broker; close once. Thread-safe.
 */
public final class LagMonitorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitorService.class);

    private final LagMonitor monitor;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-lag-monitor");
        t.setDaemon(true);
        return t;
    });
    private final String bootstrap;
    private final int callTimeoutMs;
    private Admin admin;

    public LagMonitorService(LagMonitor.Settings settings, GroupCoordinator coordinator, String bootstrap,
                             int callTimeoutMs, LongSupplier clockMs) {
        this.bootstrap = bootstrap;
        this.callTimeoutMs = callTimeoutMs;
        this.monitor = new LagMonitor(settings, () -> committed(coordinator), this::latest, clockMs);
    }

    public void start(long sampleIntervalMs) {
        thread.scheduleWithFixedDelay(this::sampleQuietly, sampleIntervalMs, sampleIntervalMs, TimeUnit.MILLISECONDS);
    }

    public LagMonitor.View view() {
        return monitor.view();
    }

    private void sampleQuietly() {
        try {
            monitor.sample();
        } catch (Exception e) {
            LOG.info("Lag sample failed (the next one retries): {}", e.toString());
        }
    }

    private Map<String, Map<TopicPartition, Committed>> committed(GroupCoordinator coordinator) throws Exception {
        List<Map<String, Map<TopicPartition, Committed>>> shards = coordinator.onAllShards(s -> s.offsets().snapshot())
                .get(callTimeoutMs, TimeUnit.MILLISECONDS);
        Map<String, Map<TopicPartition, Committed>> all = new HashMap<>();
        shards.forEach(all::putAll);
        return all;
    }

    private Map<TopicPartition, Long> latest(Set<TopicPartition> partitions) throws Exception {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-lag-monitor");
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, callTimeoutMs);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, callTimeoutMs);
            admin = Admin.create(p);
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        ListOffsetsResult result = admin.listOffsets(request);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            try {
                out.put(tp, result.partitionResult(tp).get(callTimeoutMs, TimeUnit.MILLISECONDS).offset());
            } catch (ExecutionException | TimeoutException unknown) {
                // A partition without a leader now, or deleted: its end stays unknown this round.
            }
        }
        return out;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(callTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (admin != null) {
            admin.close(Duration.ofMillis(callTimeoutMs));
        }
    }
}
