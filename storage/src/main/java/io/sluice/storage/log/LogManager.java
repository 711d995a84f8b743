package io.sluice.storage.log;

import io.sluice.storage.TopicPartitionId;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * All partition logs of a broker, over {@code log.dirs}. Owned by the broker process: it starts it
 * once and closes it at shutdown.
 *
 * <p>{@link #start} opens every {@code <topic>-<partition>} directory found (in parallel, with
 * {@code num.recovery.threads.per.data.dir} threads per dir), recovering each log from its
 * recovery point; a partition dir that cannot be opened is logged by name, listed in
 * {@link #loadFailures()} and does not stop the others. A background thread runs retention every
 * {@code log.retention.check.interval.ms}, the flush.ms check every
 * {@code log.flush.scheduler.interval.ms}, and writes the {@code recovery-point-offset-checkpoint}
 * and {@code log-start-offset-checkpoint} files of each dir. An I/O error on a dir marks it
 * offline: its logs answer KAFKA_STORAGE_ERROR, listeners are told, the process stays up.
 *
 * <p>Thread-safe.
 */
public final class LogManager implements AutoCloseable {

    /** Opens every log found in the dirs and starts the schedules. */
    public static LogManager start(LogManagerConfig config, Clock clock,
                                   Function<String, LogConfig> topicConfigs) {
        throw new UnsupportedOperationException("implemented in the next commit");
    }

    /** The log of {@code tp}, created in the online dir with the fewest partitions if absent. */
    public PartitionLog getOrCreate(TopicPartitionId tp, LogConfig config) {
        throw new UnsupportedOperationException();
    }

    public Optional<PartitionLog> get(TopicPartitionId tp) {
        throw new UnsupportedOperationException();
    }

    public Collection<PartitionLog> logs() {
        throw new UnsupportedOperationException();
    }

    /** Closes the log and deletes its directory. @return false if there was no such log */
    public boolean delete(TopicPartitionId tp) {
        throw new UnsupportedOperationException();
    }

    /** Log dirs taken offline by an I/O error. */
    public Set<Path> offlineLogDirs() {
        throw new UnsupportedOperationException();
    }

    /** Partition dirs that could not be opened at start: dir path to reason. */
    public Map<Path, String> loadFailures() {
        throw new UnsupportedOperationException();
    }

    /** Called (on the failing thread) with the log dir an I/O error took offline. */
    public void addLogDirFailureListener(Consumer<Path> listener) {
        throw new UnsupportedOperationException();
    }

    /** One retention pass over every log (also run by the schedule). */
    public void runRetention() {
        throw new UnsupportedOperationException();
    }

    /** One flush.ms pass over every log (also run by the schedule). */
    public void runFlushSchedule() {
        throw new UnsupportedOperationException();
    }

    /** Writes recovery-point and log-start-offset checkpoints of every online dir. */
    public void checkpoint() {
        throw new UnsupportedOperationException();
    }

    /** Stops the schedules, flushes and closes every log, writes the checkpoints. */
    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }
}
