package io.sluice.metadata.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free ephemeral ports for tests (other helpers run tests on this machine at the same time). */
public final class TestPorts {
    private TestPorts() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
