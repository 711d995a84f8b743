package io.sluice.metadata.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code quorum.properties} in the metadata dir: the node id and voters this directory was first
 * started with. A later start with another configuration is refused (starting a voter with a
 * different quorum on an old Raft log could elect two leaders). Stateless.
 */
final class QuorumMetaFile {
    static final String FILE_NAME = "quorum.properties";

    private QuorumMetaFile() {
    }

    /** Writes the file on first start; otherwise throws IllegalStateException when it disagrees. */
    static void checkOrWrite(MetadataNodeConfig config) throws IOException {
        Path file = config.metadataDir().resolve(FILE_NAME);
        String voters = QuorumVoter.format(config.voters());
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            String storedVoters = p.getProperty(MetadataNodeConfig.QUORUM_VOTERS);
            String storedId = p.getProperty(MetadataNodeConfig.NODE_ID);
            if (!voters.equals(storedVoters)) {
                throw new IllegalStateException("Refusing to start: configured " + MetadataNodeConfig.QUORUM_VOTERS
                    + "=" + voters + " differs from " + storedVoters + " recorded in " + file);
            }
            if (!String.valueOf(config.nodeId()).equals(storedId)) {
                throw new IllegalStateException("Refusing to start: configured " + MetadataNodeConfig.NODE_ID + "="
                    + config.nodeId() + " differs from " + storedId + " recorded in " + file);
            }
            return;
        }
        Properties p = new Properties();
        p.setProperty(MetadataNodeConfig.QUORUM_VOTERS, voters);
        p.setProperty(MetadataNodeConfig.NODE_ID, String.valueOf(config.nodeId()));
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Sluice metadata quorum membership; do not edit");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
