package io.sluice.server.group;

import io.sluice.server.group.consumer.ClusterTopics;
import io.sluice.server.group.runtime.GroupConfigLookup;
import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.share.ShareGroupConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of this broker: one {@link GroupShard} per partition of
 * {@code __consumer_offsets} led here, all driven by a single coordinator thread (no locks in the
 * group state; one owner). Requests are queued to that thread and answered through futures; the
 * thread also fires the shards' timers and, every {@link #REFRESH_MS}, loads the partitions this
 * broker has started to lead (at start too) and drops those it no longer leads.
 *
 * <p>Thread-safe: every public method may be called from any thread (network event loops).
 */
public final class GroupCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    /** How often led partitions are re-checked for leadership changes. */
    static final long REFRESH_MS = 500;
    /** Bound on queued coordinator requests; beyond it callers get COORDINATOR_NOT_AVAILABLE. */
    static final int EVENTS_MAX = 65_536;

    /** Where the partitions of {@code __consumer_offsets} come from (the broker's partitions led here). */
    public interface OffsetsPartitions {
        /**
         * @return the partition's log when this broker leads it, with an {@code incarnation} that is
         *         not equal to the last one whenever leadership was lost and regained; null when not led here
         */
        Led lookup(int partition);

        /**
         * Whether the metadata already names this broker the partition's leader. True while
         * {@link #lookup} is still null means the partition is on its way here: the answer is then
         * COORDINATOR_LOAD_IN_PROGRESS (retried in place) rather than NOT_COORDINATOR.
         */
        boolean ledHereByMetadata(int partition);

        record Led(GroupLog log, Object incarnation) { }
    }

    private record Loaded(GroupShard shard, Object incarnation) { }

    private final GroupConfig config;
    private final ShareGroupConfig shareConfig;
    private final LongSupplier clockMs;
    private final OffsetsPartitions partitions;
    private final ClusterTopics topics;
    private final GroupConfigLookup groupConfigs;
    private final Map<Integer, Loaded> shards = new HashMap<>();
    private final GroupRebalances rebalances = new GroupRebalances();
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>(EVENTS_MAX);
    private final Thread thread;
    private volatile boolean running = true;
    private long nextRefreshMs;

    public GroupCoordinator(GroupConfig config, LongSupplier clockMs, OffsetsPartitions partitions,
                            ClusterTopics topics) {
        this(config, ShareGroupConfig.defaults(), clockMs, partitions, topics, GroupConfigLookup.NONE);
    }

    public GroupCoordinator(GroupConfig config, ShareGroupConfig shareConfig, LongSupplier clockMs,
                            OffsetsPartitions partitions, ClusterTopics topics, GroupConfigLookup groupConfigs) {
        this.config = config;
        this.shareConfig = shareConfig;
        this.topics = topics;
        this.groupConfigs = groupConfigs;
        this.clockMs = clockMs;
        this.partitions = partitions;
        this.thread = new Thread(this::run, "sluice-group-coordinator");
        this.thread.setDaemon(true);
    }

    /** The rebalances of the groups coordinated here since start (for the metrics endpoint). */
    public GroupRebalances rebalances() {
        return rebalances;
    }

    public GroupConfig config() {
        return config;
    }

    public ShareGroupConfig shareConfig() {
        return shareConfig;
    }

    public void start() {
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Loaded l : shards.values()) {
            l.shard().unload();
        }
        shards.clear();
    }

    /**
     * Runs {@code op} on the coordinator thread against the shard of {@code groupId}; when this
     * broker is not the group's coordinator the answer is {@code onError(NOT_COORDINATOR)}, or
     * {@code onError(COORDINATOR_LOAD_IN_PROGRESS)} while its partition is becoming led here.
     */
    public <T> CompletableFuture<T> onShard(String groupId, Function<GroupShard, CompletableFuture<T>> op,
                                            Function<Errors, T> onError) {
        int p = config.partitionFor(groupId == null ? "" : groupId);
        CompletableFuture<CompletableFuture<T>> f = submit(() -> {
            GroupShard s = shardFor(p);
            if (s != null) {
                return op.apply(s);
            }
            Errors notHere = partitions.ledHereByMetadata(p) ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NOT_COORDINATOR;
            return CompletableFuture.completedFuture(onError.apply(notHere));
        });
        return f.thenCompose(Function.identity()).exceptionally(e -> {
            LOG.error("Group request for {} failed", groupId, e);
            return onError.apply(Errors.COORDINATOR_NOT_AVAILABLE);
        });
    }

    /** Runs {@code op} on every loaded shard (ListGroups) and collects the results. */
    public <T> CompletableFuture<List<T>> onAllShards(Function<GroupShard, T> op) {
        return submit(() -> {
            refreshShards();
            List<T> out = new ArrayList<>();
            for (Loaded l : shards.values()) {
                out.add(op.apply(l.shard()));
            }
            return out;
        });
    }

    private <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        };
        if (!running || !events.offer(r)) {
            f.completeExceptionally(new IllegalStateException("group coordinator queue full or closed"));
        }
        return f;
    }

    /** Queues a task for the coordinator thread; refused once closed or when the queue is full. */
    private void runOnCoordinatorThread(Runnable task) {
        if (!running || !events.offer(task)) {
            throw new RejectedExecutionException("group coordinator queue full or closed");
        }
    }

    private void run() {
        while (running) {
            try {
                long now = clockMs.getAsLong();
                long next = nextRefreshMs;
                for (Loaded l : shards.values()) {
                    next = Math.min(next, l.shard().timer().nextDeadlineMs());
                }
                Runnable e = events.poll(Math.max(0, Math.min(next - now, REFRESH_MS)), TimeUnit.MILLISECONDS);
                int n = 0;
                while (e != null && n++ < 1000) {
                    e.run();
                    e = events.poll();
                }
                if (e != null) {
                    e.run();
                }
                for (Loaded l : List.copyOf(shards.values())) {
                    l.shard().timer().poll();
                }
                if (clockMs.getAsLong() >= nextRefreshMs) {
                    refreshShards();
                    nextRefreshMs = clockMs.getAsLong() + REFRESH_MS;
                }
            } catch (InterruptedException ie) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException re) {
                LOG.error("Group coordinator loop error", re);
            }
        }
    }

    private void refreshShards() {
        for (int p = 0; p < config.offsetsTopicNumPartitions(); p++) {
            try {
                shardFor(p);
            } catch (RuntimeException e) {
                LOG.error("Loading {}-{} failed", GroupConfig.OFFSETS_TOPIC, p, e);
            }
        }
    }

    /** The loaded shard of partition {@code p}, loading or unloading it when leadership changed. */
    private GroupShard shardFor(int p) {
        OffsetsPartitions.Led led = partitions.lookup(p);
        Loaded cur = shards.get(p);
        if (led == null) {
            if (cur != null) {
                LOG.info("No longer leader of {}-{}: unloading its groups", GroupConfig.OFFSETS_TOPIC, p);
                cur.shard().unload();
                shards.remove(p);
            }
            return null;
        }
        if (cur != null && cur.incarnation().equals(led.incarnation())) {
            return cur.shard();
        }
        if (cur != null) {
            cur.shard().unload();
            shards.remove(p);
        }
        GroupShard s = new GroupShard(p, config, shareConfig, led.log(), clockMs, this::runOnCoordinatorThread, topics,
                groupConfigs, rebalances);
        s.load();
        shards.put(p, new Loaded(s, led.incarnation()));
        return s;
    }
}
