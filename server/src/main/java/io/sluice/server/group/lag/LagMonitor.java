package io.sluice.server.group.lag;

import io.sluice.server.group.offsets.OffsetManager.Committed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Burrow's job, built in: for every group coordinated here and every partition it commits to, the
 * lag in records and in time, and a verdict over its last commits ({@link CommitWindow}). Each
 * {@link #sample()} reads the committed offsets from the coordinator and the partitions' ends from
 * their leaders, records any new commit (one whose commit time changed since the last sample) and
 * publishes an immutable view. Commits closer together than the sample interval count as one.
 * Bounded: at most {@code partitionsMax} (group, partition) pairs are followed; others are logged
 * once and left out. {@code sample} runs on one thread; {@link #view()} may be read from any.
 */
public final class LagMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    /** Where committed offsets come from: every group's, as the coordinator holds them. */
    public interface CommittedOffsets {
        Map<String, Map<TopicPartition, Committed>> all() throws Exception;
    }

    /** Where partitions' log end offsets come from; a partition left out of the answer is unknown. */
    public interface EndOffsets {
        Map<TopicPartition, Long> latest(Set<TopicPartition> partitions) throws Exception;
    }

    /** One group's lag on one partition. {@code timeLagMs} is -1 while unknown. */
    public record PartitionLag(String group, TopicPartition partition, long committedOffset, long lagRecords,
                               long timeLagMs, LagStatus status) { }

    /** What the last sample found: per partition, and each group's verdict (its worst partition's). */
    public record View(List<PartitionLag> partitions, Map<String, LagStatus> groups) {
        static final View EMPTY = new View(List.of(), Map.of());
    }

    public record Settings(int windowCommits, int endSamplesMax, int partitionsMax) { }

    private record Key(String group, TopicPartition partition) { }

    private final Settings settings;
    private final CommittedOffsets committed;
    private final EndOffsets ends;
    private final LongSupplier clockMs;
    private final Map<Key, CommitWindow> windows = new HashMap<>();
    private final Map<Key, Long> lastCommitMs = new HashMap<>();
    private final Map<TopicPartition, EndOffsetHistory> histories = new HashMap<>();
    private boolean overLimitLogged;
    private volatile View view = View.EMPTY;

    public LagMonitor(Settings settings, CommittedOffsets committed, EndOffsets ends, LongSupplier clockMs) {
        this.settings = settings;
        this.committed = committed;
        this.ends = ends;
        this.clockMs = clockMs;
    }

    public View view() {
        return view;
    }

    /** One round: read, record new commits, judge, publish. */
    public void sample() throws Exception {
        Map<String, Map<TopicPartition, Committed>> offsets = committed.all();
        Set<TopicPartition> partitions = new HashSet<>();
        offsets.values().forEach(m -> partitions.addAll(m.keySet()));
        Map<TopicPartition, Long> latest = partitions.isEmpty() ? Map.of() : ends.latest(partitions);
        long now = clockMs.getAsLong();
        latest.forEach((tp, end) -> histories.computeIfAbsent(tp, x -> new EndOffsetHistory(settings.endSamplesMax()))
                .sample(end, now));
        histories.keySet().retainAll(partitions);

        Set<Key> seen = new HashSet<>();
        List<PartitionLag> out = new ArrayList<>();
        Map<String, LagStatus> groups = new HashMap<>();
        offsets.forEach((group, byPartition) -> byPartition.forEach((tp, c) -> {
            Key key = new Key(group, tp);
            CommitWindow window = windows.get(key);
            if (window == null) {
                if (windows.size() >= settings.partitionsMax()) {
                    if (!overLimitLogged) {
                        LOG.warn("Lag monitor follows {} group partitions at most; {} and others are left out",
                                settings.partitionsMax(), key);
                        overLimitLogged = true;
                    }
                    return;
                }
                window = new CommitWindow(settings.windowCommits());
                windows.put(key, window);
            }
            seen.add(key);
            Long end = latest.get(tp);
            long lag = end == null ? -1 : Math.max(0, end - c.offset());
            Long last = lastCommitMs.put(key, c.commitTimestampMs());
            if (last == null || last != c.commitTimestampMs()) {
                window.record(c.offset(), lag, c.commitTimestampMs());
            }
            EndOffsetHistory history = histories.get(tp);
            LagStatus status = window.evaluate(now, lag);
            out.add(new PartitionLag(group, tp, c.offset(), lag,
                    history == null ? -1 : history.timeLagMs(c.offset(), now), status));
            groups.merge(group, status, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }));
        windows.keySet().retainAll(seen);
        lastCommitMs.keySet().retainAll(seen);
        view = new View(List.copyOf(out), Map.copyOf(groups));
    }
}
