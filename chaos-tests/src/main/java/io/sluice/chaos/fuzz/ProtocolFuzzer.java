package io.sluice.chaos.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends random and mutated request frames to a live broker from many connections at once, while
 * the real workload runs beside it. It only judges nothing; the runner checks that the broker
 * stayed up and the workload's history stays clean. Each run owns its threads and sockets and
 * joins them before returning; one instance is single-use.
 */
public final class ProtocolFuzzer {
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int READ_TIMEOUT_MS = 500;
    private static final int FRAMES_PER_CONNECTION_MAX = 20;

    private final String host;
    private final int port;
    private final int connections;
    private final long seed;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closedByBroker = new AtomicLong();
    private final AtomicLong responseBytes = new AtomicLong();
    private final Map<FrameMutator.Kind, AtomicLong> byKind = new EnumMap<>(FrameMutator.Kind.class);

    /** What one run sent and saw. */
    public record Stats(long frames, long connections, long closedByBroker, long responseBytes, String byKind) {
        @Override
        public String toString() {
            return frames + " frames over " + connections + " connections (" + closedByBroker
                    + " closed by the broker, " + responseBytes + " response bytes) " + byKind;
        }
    }

    public ProtocolFuzzer(String bootstrap, int connections, long seed) {
        int colon = bootstrap.lastIndexOf(':');
        this.host = bootstrap.substring(0, colon);
        this.port = Integer.parseInt(bootstrap.substring(colon + 1));
        this.connections = connections;
        this.seed = seed;
        for (FrameMutator.Kind k : FrameMutator.Kind.values()) {
            byKind.put(k, new AtomicLong());
        }
    }

    public Stats run(Duration duration) throws IOException, InterruptedException {
        FrameFactory factory = new FrameFactory(ApiVersionsProbe.fetch(host, port, 5_000));
        if (factory.size() == 0) {
            throw new IOException("the broker advertises no api version this client can build a frame for");
        }
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Random r = new Random(seed + i);
            Thread t = new Thread(() -> loop(factory, r, deadline), "fuzz-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(duration.toMillis() + 30_000);
        }
        StringBuilder kinds = new StringBuilder();
        byKind.forEach((k, n) -> kinds.append(k.name().toLowerCase()).append('=').append(n.get()).append(' '));
        return new Stats(frames.get(), opened.get(), closedByBroker.get(), responseBytes.get(), kinds.toString().trim());
    }

    private void loop(FrameFactory factory, Random r, long deadline) {
        byte[] sink = new byte[64 << 10];
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                s.setSoTimeout(READ_TIMEOUT_MS);
                s.setTcpNoDelay(true);
                opened.incrementAndGet();
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                int n = 1 + r.nextInt(FRAMES_PER_CONNECTION_MAX);
                for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
                    FrameMutator.Mutated m = FrameMutator.mutate(factory, r);
                    out.write(m.wire());
                    out.flush();
                    frames.incrementAndGet();
                    byKind.get(m.kind()).incrementAndGet();
                    if (!drain(in, sink)) {
                        closedByBroker.incrementAndGet();
                        break;
                    }
                    if (m.closeAfter()) {
                        break;
                    }
                }
            } catch (IOException e) {
                // reset by the broker or refused: what bad input may earn; try again on a new connection
                closedByBroker.incrementAndGet();
                sleep(20);
            }
        }
    }

    /** Reads whatever the broker answers within the read timeout; false once it closed the connection. */
    private boolean drain(InputStream in, byte[] sink) throws IOException {
        try {
            while (true) {
                int n = in.read(sink);
                if (n < 0) {
                    return false;
                }
                responseBytes.addAndGet(n);
            }
        } catch (SocketTimeoutException quiet) {
            return true;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
