package io.sluice.metadata.node;

import java.io.IOException;

/** Implementation of {@link MetadataNode}; in progress. */
final class QuorumNode {
    private QuorumNode() {
    }

    static MetadataNode start(MetadataNodeConfig config) throws IOException {
        throw new UnsupportedOperationException("MetadataNode.start: implementation in progress");
    }
}
