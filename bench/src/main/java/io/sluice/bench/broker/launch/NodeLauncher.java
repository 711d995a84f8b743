package io.sluice.bench.broker.launch;

import java.io.IOException;

/**
 * Starts one cluster node's process on its existing directory and config, without waiting for it:
 * the first start, and every restart after a kill. Implementations are immutable.
 */
@FunctionalInterface
interface NodeLauncher {
    RunningBroker launch() throws IOException;
}
