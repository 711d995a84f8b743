package io.sluice.bench.metadata;

import io.sluice.metadata.node.MetadataNode;
import io.sluice.metadata.node.MetadataNodeConfig;
import io.sluice.metadata.node.ProcessRole;

import java.nio.file.Path;
import java.util.EnumSet;

/**
 * One metadata voter as its own JVM, for benchmarks that SIGKILL a voter. Prints {@code READY} when
 * its Ratis server listens; exits when its stdin closes (the parent went away) or when killed.
 *
 * <p>Args: nodeId voters metadataDir electionTimeoutMs
 */
public final class VoterProcess {
    private VoterProcess() {
    }

    public static void main(String[] args) throws Exception {
        MetadataNodeConfig config = MetadataNodeConfig.builder()
            .nodeId(Integer.parseInt(args[0]))
            .processRoles(EnumSet.of(ProcessRole.CONTROLLER))
            .voters(args[1])
            .metadataDir(Path.of(args[2]))
            .electionTimeoutMs(Integer.parseInt(args[3]))
            .build();
        MetadataNode node = MetadataNode.start(config);
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for EOF: the parent went away
        }
        // A voter whose quorum is gone can block in close(); never outlive the benchmark for long.
        Thread closer = new Thread(node::close, "voter-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(10_000);
        Runtime.getRuntime().halt(0);
    }
}
