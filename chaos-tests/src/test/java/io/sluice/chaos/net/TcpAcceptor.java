package io.sluice.chaos.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A tiny TCP listener the network tests run inside a namespace ({@code ip netns exec ns java
 * ... TcpAcceptor PORT}): prints "listening" once bound, then accepts and closes connections until
 * killed or {@link #LIFETIME_MS} passes (so a test that dies leaves nothing running for long).
 */
public final class TcpAcceptor {
    static final long LIFETIME_MS = 120_000;

    private TcpAcceptor() { }

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            server.setSoTimeout(1_000);
            System.out.println("listening");
            System.out.flush();
            long end = System.currentTimeMillis() + LIFETIME_MS;
            while (System.currentTimeMillis() < end) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write('k');
                } catch (SocketTimeoutException e) {
                    // keep waiting until the lifetime ends
                }
            }
        }
    }
}
