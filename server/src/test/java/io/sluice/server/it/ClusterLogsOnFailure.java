package io.sluice.server.it;

import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the end of every running cluster node's log when a test fails, before {@code @AfterEach}
 * or {@link ClusterFixture} stops the cluster and deletes its directories: a failure on a CI machine
 * is then readable from the build output alone.
 */
public final class ClusterLogsOnFailure implements AfterTestExecutionCallback {

    private static final int TAIL_LINES = 80;

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        for (ClusterProcess cluster : ClusterProcess.open()) {
            for (BrokerProcess node : cluster.nodes()) {
                List<String> lines;
                try {
                    lines = node.log().lines().toList();
                } catch (UncheckedIOException notStarted) {
                    continue;
                }
                System.out.println("---- last " + TAIL_LINES + " lines of node " + node.nodeId() + "'s log ("
                        + context.getDisplayName() + " failed) ----");
                lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).forEach(System.out::println);
            }
        }
    }
}
