package io.sluice.bench.broker.launch;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One kind of broker the harness compares as an N-node cluster (every node a broker and a
 * metadata-quorum voter, combined mode), each node its own process on the loopback.
 *
 * <p>Implementations are immutable and thread-safe; each {@link #start} gives new processes.
 */
public interface ClusterTarget {

    /** Short label used in the report, the JSON and file names ("kafka", "sluice"). */
    String name();

    /** Empty if this target can be started here, else why not (shown in the report). */
    Optional<String> unavailableReason();

    /**
     * Lays out every node of {@code layout} under {@code dir}/node-N (config, data, logs), starts
     * them, and waits until every node answers and every broker is registered.
     *
     * @throws BrokerStartException if the cluster did not come up in time; its processes are then stopped
     */
    RunningCluster start(Path dir, ClusterLayout layout) throws BrokerStartException, InterruptedException;
}
