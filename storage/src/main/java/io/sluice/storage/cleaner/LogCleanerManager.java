package io.sluice.storage.cleaner;

import io.sluice.storage.TopicPartitionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The log cleaner of a broker (Kafka's LogCleaner and LogCleanerManager): {@code log.cleaner.threads}
 * daemon threads, each taking the dirtiest compacted log whose cleanable ratio passes its
 * {@code min.cleanable.dirty.ratio} (or whose dirty section is older than {@code max.compaction.lag.ms}),
 * cleaning it ({@link LogCleaner}, its own offset map of the thread's share of
 * {@code log.cleaner.dedupe.buffer.size}, I/O bounded by {@code log.cleaner.io.max.bytes.per.second}),
 * recording where the next cleaning starts (the {@code cleaner-offset-checkpoint} of each log dir,
 * written by the owner through {@link CheckpointStore}) and sleeping {@code log.cleaner.backoff.ms}
 * when no log needs cleaning. A log whose cleaning fails for a reason other than I/O is left
 * uncleanable, with the reason, until the broker restarts; an I/O error takes its log offline.
 * {@link #reconfigure} applies new settings without a restart as Kafka's {@code LogCleaner.reconfigure}
 * does: the threads stop (a cleaning in progress is aborted and taken again later) and new ones start.
 *
 * <p>Owned by the LogManager. Thread-safe: the cleaning state is guarded by this object's monitor;
 * a cleaning itself runs without it.
 */
public final class LogCleanerManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogCleanerManager.class);

    /** Where the cleaner checkpoints live; the LogManager writes one file per log dir. */
    public interface CheckpointStore {
        /** Writes the first dirty offset of every log cleaned so far. */
        void write(Map<TopicPartitionId, Long> firstDirtyOffsets);
    }

    private final Supplier<Collection<? extends CleanableLog>> logs;
    private final CheckpointStore checkpointStore;
    private final Clock clock;
    private final Throttler.Sleeper sleeper;
    private final CleaningHook hook;

    // Guarded by this.
    private CleanerConfig config;
    private List<LogCleaner> cleaners;
    private final List<Thread> threads = new ArrayList<>();
    /** Whether {@link #start} was called: a reconfiguration starts the new threads only then. */
    private boolean started;
    /** True while a reconfiguration waits for the old threads to stop. */
    private boolean restarting;
    private final Map<TopicPartitionId, Long> checkpoints;
    private final Map<TopicPartitionId, LogCleaningState> states = new HashMap<>();
    private final Set<TopicPartitionId> inProgress = new HashSet<>();
    private final Set<TopicPartitionId> aborting = new HashSet<>();
    private boolean closed;

    private volatile ToLongFunction<TopicPartitionId> stableOffsetBound;

    /**
     * @param checkpointed the first dirty offsets read from the log dirs' {@code cleaner-offset-checkpoint}
     * @param sleeper      how the I/O throttle waits (tests step their clock instead); null: on this
     *                     object's monitor, so closing ends the wait
     */
    public LogCleanerManager(CleanerConfig config, Supplier<Collection<? extends CleanableLog>> logs,
                             Map<TopicPartitionId, Long> checkpointed, CheckpointStore checkpointStore, Clock clock,
                             Throttler.Sleeper sleeper, CleaningHook hook) {
        this.config = config;
        this.sleeper = sleeper != null ? sleeper : this::sleepUnlessClosed;
        this.hook = hook;
        this.logs = logs;
        this.checkpointStore = checkpointStore;
        this.clock = clock;
        this.checkpoints = new HashMap<>(checkpointed);
        checkpointed.forEach((tp, offset) -> states.put(tp, LogCleaningState.NEVER.withCheckpoint(offset)));
        this.stableOffsetBound = tp -> Long.MAX_VALUE;
        this.cleaners = cleaners(config);
    }

    /**
     * One cleaner per thread (at least one, for {@link #runOnce}), each with its share of the dedupe
     * buffer, and one I/O throttle for them all (the bound is on the cleaners' I/O together, as in Kafka).
     */
    private List<LogCleaner> cleaners(CleanerConfig c) {
        List<LogCleaner> out = new ArrayList<>();
        Throttler throttler = new Throttler(c.ioBytesPerSecondMax(), clock::millis, sleeper);
        for (int i = 0; i < Math.max(1, c.threads()); i++) {
            out.add(new LogCleaner(new OffsetMap(c.offsetMapBytesPerThread(), c.ioBufferLoadFactor()), throttler, hook));
        }
        return out;
    }

    /** With the real sleep and no hook (the broker). */
    public LogCleanerManager(CleanerConfig config, Supplier<Collection<? extends CleanableLog>> logs,
                             Map<TopicPartitionId, Long> checkpointed, CheckpointStore checkpointStore, Clock clock) {
        this(config, logs, checkpointed, checkpointStore, clock, null, CleaningHook.NONE);
    }

    /**
     * The offset each log's cleaning must stop below besides its active segment (the broker gives the
     * high watermark: records replication may still truncate are never compacted away); without it,
     * the log end offset.
     */
    public void setStableOffsetBound(ToLongFunction<TopicPartitionId> bound) {
        this.stableOffsetBound = bound;
    }

    /** Starts the threads, if {@code log.cleaner.enable} and {@code log.cleaner.threads} allow. */
    public synchronized void start() {
        started = true;
        if (closed || !config.enable() || config.threads() == 0 || !threads.isEmpty()) {
            return;
        }
        for (int i = 0; i < config.threads(); i++) {
            LogCleaner cleaner = cleaners.get(i);
            Thread t = new Thread(() -> runThread(cleaner), "sluice-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Whether the threads run (false when {@code log.cleaner.enable=false} or no threads are configured). */
    public synchronized boolean isEnabled() {
        return config.enable() && config.threads() > 0;
    }

    /** The cleaner threads running now. */
    public synchronized int threadCount() {
        return threads.size();
    }

    /** The settings in force. */
    public synchronized CleanerConfig config() {
        return config;
    }

    /**
     * Why {@code next} may not replace the settings in force, or null. Kafka's
     * {@code LogCleaner.validateReconfiguration}: at least one thread, and the count at most halved or
     * doubled at a time.
     */
    public synchronized String reconfigurationProblem(CleanerConfig next) {
        int current = config.threads();
        if (next.threads() < 1) {
            return CleanerConfig.LOG_CLEANER_THREADS + ": log cleaner threads should be at least 1";
        }
        if (next.threads() < current / 2) {
            return CleanerConfig.LOG_CLEANER_THREADS + ": log cleaner threads cannot be reduced to less than half "
                    + "the current value " + current;
        }
        if (next.threads() > current * 2) {
            return CleanerConfig.LOG_CLEANER_THREADS + ": log cleaner threads cannot be increased to more than "
                    + "double the current value " + current;
        }
        return null;
    }

    /**
     * Applies {@code next} without a restart (Kafka's {@code LogCleaner.reconfigure}): stops the threads,
     * aborting the cleanings in progress (their logs stay dirty and are taken again), and starts
     * {@code next.threads()} new ones with new offset maps and throttles. Blocks until the old threads
     * ended. Returns at once when nothing changed.
     *
     * @param withinLimits whether {@link #reconfigurationProblem}'s limits apply: false for the
     *                     dynamic settings a broker finds stored when it starts (Kafka applies those
     *                     before its cleaner starts, unchecked; they were checked when altered)
     * @throws IllegalArgumentException with {@link #reconfigurationProblem}'s message
     */
    public void reconfigure(CleanerConfig next, boolean withinLimits) {
        List<Thread> running;
        synchronized (this) {
            if (closed || next.equals(config)) {
                return;
            }
            String problem = withinLimits ? reconfigurationProblem(next) : null;
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            restarting = true;
            notifyAll();
            running = new ArrayList<>(threads);
        }
        // Not interruptible: the threads end at their next batch or wait, and leaving before they
        // ended would start new ones beside them.
        boolean interrupted = false;
        for (Thread t : running) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        synchronized (this) {
            restarting = false;
            threads.clear();
            config = next;
            cleaners = cleaners(next);
            if (started) {
                start();
            }
        }
        LOG.info("Log cleaner reconfigured: {}", next);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void runThread(LogCleaner cleaner) {
        try {
            while (!isStopping()) {
                if (!cleanFilthiestLog(cleaner)) {
                    synchronized (this) {
                        if (!closed && !restarting) {
                            wait(Math.max(1, config.backoffMs()));
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One pass on the calling thread (tests, with the threads not started): cleans the dirtiest log
     * that needs it. @return whether a log was taken
     */
    public boolean runOnce() throws InterruptedException {
        LogCleaner first;
        synchronized (this) {
            first = cleaners.get(0);
        }
        return cleanFilthiestLog(first);
    }

    private boolean cleanFilthiestLog(LogCleaner cleaner) throws InterruptedException {
        LogToClean filthiest = grabFilthiest();
        if (filthiest == null) {
            return false;
        }
        CleanableLog log = filthiest.log();
        TopicPartitionId tp = log.topicPartition();
        long startMs = clock.millis();
        try {
            CleaningResult r = cleaner.clean(log, filthiest.firstDirtyOffset(), filthiest.firstUncleanableOffset(),
                    startMs, () -> isAborting(tp));
            long endMs = clock.millis();
            synchronized (this) {
                checkpoints.put(tp, r.endOffset());
                states.put(tp, state(tp).afterCleaning(r, endMs - startMs, endMs));
            }
            writeCheckpoints();
        } catch (LogCleaningAbortedException e) {
            LOG.info("{}: cleaning aborted", tp);
        } catch (IOException e) {
            if (!log.isUnavailable()) {
                log.failed(e);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: cleaning failed; the partition is uncleanable until the broker restarts", tp, e);
            synchronized (this) {
                states.put(tp, state(tp).uncleanable(e.toString()));
            }
        } finally {
            synchronized (this) {
                inProgress.remove(tp);
                notifyAll();
            }
        }
        return true;
    }

    /** Kafka's grabFilthiestCompactedLog: the compacted log with the highest cleanable ratio that passes. */
    private synchronized LogToClean grabFilthiest() {
        if (closed) {
            return null;
        }
        long now = clock.millis();
        LogToClean best = null;
        boolean checkpointsReset = false;
        for (CleanableLog log : logs.get()) {
            TopicPartitionId tp = log.topicPartition();
            if (!log.compactionConfig().compact() || log.isUnavailable() || inProgress.contains(tp)
                    || state(tp).uncleanableReason() != null) {
                continue;
            }
            long truncatedTo = log.pollTruncatedTo();
            Long checkpoint = checkpoints.get(tp);
            if (checkpoint != null && truncatedTo < checkpoint) {
                checkpoints.put(tp, truncatedTo); // records written again below the checkpoint are dirty
                checkpointsReset = true;
            }
            LogToClean ltc;
            try {
                long bound = stableOffsetBound.applyAsLong(tp);
                ltc = LogToClean.of(log, checkpoints.get(tp), bound < 0 ? log.logStartOffset() : bound, now);
            } catch (IOException e) {
                log.failed(e);
                continue;
            }
            if (ltc.checkpointReset()) {
                checkpoints.put(tp, ltc.firstDirtyOffset());
                checkpointsReset = true;
            }
            states.put(tp, state(tp).withCheckpoint(ltc.firstDirtyOffset()).withDirtyRatio(ltc.cleanableRatio()));
            if (ltc.isCleanable() && (best == null || ltc.cleanableRatio() > best.cleanableRatio())) {
                best = ltc;
            }
        }
        if (checkpointsReset) {
            checkpointStore.write(Map.copyOf(checkpoints));
        }
        if (best != null) {
            inProgress.add(best.log().topicPartition());
        }
        return best;
    }

    private void writeCheckpoints() {
        Map<TopicPartitionId, Long> copy;
        synchronized (this) {
            copy = Map.copyOf(checkpoints);
        }
        checkpointStore.write(copy);
    }

    private LogCleaningState state(TopicPartitionId tp) {
        return states.getOrDefault(tp, LogCleaningState.NEVER);
    }

    /** The throttle's wait: on this monitor, so {@link #close} and {@link #reconfigure} end it (no interrupt: it would close files). */
    private synchronized void sleepUnlessClosed(long ms) throws InterruptedException {
        long until = System.currentTimeMillis() + ms;
        for (long left = ms; left > 0 && !closed && !restarting; left = until - System.currentTimeMillis()) {
            wait(left);
        }
    }

    private synchronized boolean isAborting(TopicPartitionId tp) {
        return closed || restarting || aborting.contains(tp);
    }

    /** Closed, or a reconfiguration waits for the threads to end. */
    private synchronized boolean isStopping() {
        return closed || restarting;
    }

    /** The operator's view: every compacted log considered so far and what its cleaning did. */
    public synchronized Map<TopicPartitionId, LogCleaningState> states() {
        return Map.copyOf(states);
    }

    /** Logs the cleaner gave up on, with the reason. */
    public synchronized Map<TopicPartitionId, String> uncleanablePartitions() {
        Map<TopicPartitionId, String> out = new HashMap<>();
        states.forEach((tp, s) -> {
            if (s.uncleanableReason() != null) {
                out.put(tp, s.uncleanableReason());
            }
        });
        return out;
    }

    /** The first dirty offsets, as the checkpoint files hold them. */
    public synchronized Map<TopicPartitionId, Long> checkpoints() {
        return Map.copyOf(checkpoints);
    }

    /**
     * Stops a cleaning of {@code tp} in progress, waits for it to end and forgets the log (its owner
     * removed it from the logs it hands this manager, and is deleting it). Kafka's abortCleaning.
     */
    public void abortAndForget(TopicPartitionId tp) throws InterruptedException {
        synchronized (this) {
            aborting.add(tp);
            try {
                while (inProgress.contains(tp)) {
                    wait();
                }
            } finally {
                aborting.remove(tp);
                checkpoints.remove(tp);
                states.remove(tp);
            }
        }
    }

    /** Stops the threads, aborting the cleanings in progress (their cleaned files are dropped). */
    @Override
    public void close() {
        List<Thread> running;
        synchronized (this) {
            closed = true;
            notifyAll();
            running = new ArrayList<>(threads);
        }
        // No interrupt: a thread interrupted inside FileChannel I/O gets its channel closed, which would
        // read as a disk failure. The threads see the flag between batches and in their waits.
        for (Thread t : running) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
