package io.sluice.bench.broker.launch;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One kind of broker the harness compares (Apache Kafka, Sluice): knows how to lay out a fresh
 * single-node broker in a directory and start it as its own process.
 *
 * <p>Implementations are immutable and thread-safe; each {@link #start} gives a new process.
 */
public interface BrokerTarget {

    /** Short label used in the report, the JSON and file names ("kafka", "sluice"). */
    String name();

    /** Empty if this target can be started here, else why not (shown in the report). */
    Optional<String> unavailableReason();

    /**
     * Formats (where the broker needs it) and starts a single-node broker whose data, config and
     * logs live under {@code dir}, and waits until it answers a client.
     *
     * @throws BrokerStartException if it did not come up in time; the process is then stopped
     */
    RunningBroker start(Path dir) throws BrokerStartException, InterruptedException;

    /** The broker's {@code log.dirs} under the directory {@link #start} was given (the harness reads it: the cleaner step). */
    default Path dataDir(Path dir) {
        return dir.resolve("data");
    }
}
