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
        try (MetadataNode node = MetadataNode.start(config)) {
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF
            }
        }
        System.exit(0);
    }
}
