package io.sluice.server.network;

import io.sluice.replication.net.BrokerConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Requests from this broker to other brokers' inter-broker listeners, answered asynchronously (as
 * Kafka's InterBrokerSendThread sends the share persister's requests). Each destination has one
 * daemon thread and one {@link BrokerConnection}, so requests to a broker are sent and answered in
 * the order they were submitted: a share-partition's state writes cannot overtake each other. At
 * most {@code queuedRequestsMax} requests wait per destination; more fail at once. A request that
 * fails on a connection used before is sent once more on a new one (the other broker may have
 * restarted), so requests must be safe to apply twice. One that fails otherwise (no endpoint,
 * connection refused or broken, {@code socketTimeoutMs} passed) fails its future, the requests to
 * that broker in the next {@value #RECONNECT_BACKOFF_MS} ms fail at once (they would each wait out
 * the same timeout), and the next one after opens a new connection. Closing fails what still
 * waits. Futures complete on the destination's thread, so callbacks must not block. Thread-safe;
 * close once.
 */
public final class InterBrokerSender implements AutoCloseable {

    /** After a failed request, how long the next ones to that broker fail at once instead of waiting on it. */
    static final long RECONNECT_BACKOFF_MS = 1000;

    private final IntFunction<Optional<InetSocketAddress>> endpoints;
    private final int socketTimeoutMs;
    private final int queuedRequestsMax;
    private final String clientId;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param endpoints where a broker's inter-broker listener is, from the metadata; empty when it is
     *                  not registered or fenced
     */
    public InterBrokerSender(IntFunction<Optional<InetSocketAddress>> endpoints, int socketTimeoutMs,
                             int queuedRequestsMax, String clientId) {
        this.endpoints = endpoints;
        this.socketTimeoutMs = socketTimeoutMs;
        this.queuedRequestsMax = queuedRequestsMax;
        this.clientId = clientId;
    }

    /** Sends {@code request} to broker {@code brokerId}; the future fails with the IOException that stopped it. */
    public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest request) {
        CompletableFuture<AbstractResponse> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IOException("this broker is shutting down"));
            return f;
        }
        Destination d = destinations.computeIfAbsent(brokerId, Destination::new);
        try {
            d.thread.execute(new Send(d, request, f));
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IOException(closed ? "this broker is shutting down"
                    : queuedRequestsMax + " requests already wait for broker " + brokerId));
        }
        return f;
    }

    @Override
    public void close() {
        closed = true;
        for (Destination d : destinations.values()) {
            for (Runnable dropped : d.thread.shutdownNow()) {
                ((Send) dropped).future.completeExceptionally(new IOException("this broker is shutting down"));
            }
            d.closeConnection();
        }
    }

    /** One request waiting for its destination's thread; its future is failed if the thread stops first. */
    private record Send(Destination destination, AbstractRequest request, CompletableFuture<AbstractResponse> future)
            implements Runnable {
        @Override
        public void run() {
            destination.sendNow(request, future);
        }
    }

    /** One destination broker: its sending thread and the connection only that thread uses. */
    private final class Destination {
        private final int brokerId;
        private final ThreadPoolExecutor thread;
        /** Written by the destination's thread only; volatile so close() can close it (unblocking a read). */
        private volatile BrokerConnection connection;
        /** Until then requests fail at once: the last one failed (destination's thread only). */
        private long failFastUntilNs;

        Destination(int brokerId) {
            this.brokerId = brokerId;
            this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(queuedRequestsMax), r -> {
                        Thread t = new Thread(r, "sluice-inter-broker-" + brokerId);
                        t.setDaemon(true);
                        return t;
                    });
        }

        void sendNow(AbstractRequest request, CompletableFuture<AbstractResponse> f) {
            if (System.nanoTime() < failFastUntilNs) {
                f.completeExceptionally(new IOException("broker " + brokerId + " failed a request less than "
                        + RECONNECT_BACKOFF_MS + " ms ago"));
                return;
            }
            try {
                boolean reused = connection != null;
                try {
                    f.complete(connection().send(request));
                } catch (IOException stale) {
                    if (!reused || closed) {
                        throw stale;
                    }
                    // The broker closed an idle connection, or restarted: one try on a new one. Every
                    // request sent this way may be applied twice (state writes carry the whole state).
                    closeConnection();
                    f.complete(connection().send(request));
                }
            } catch (IOException | RuntimeException e) {
                closeConnection();
                // The requests queued behind this one would each wait out the same timeout.
                failFastUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_BACKOFF_MS);
                f.completeExceptionally(e);
            }
        }

        private BrokerConnection connection() throws IOException {
            if (connection == null) {
                InetSocketAddress address = endpoints.apply(brokerId).orElseThrow(() -> new IOException(
                        "broker " + brokerId + " has no inter-broker endpoint (not registered, or fenced)"));
                connection = new BrokerConnection(address, socketTimeoutMs, clientId);
            }
            return connection;
        }

        void closeConnection() {
            BrokerConnection c = connection;
            connection = null;
            if (c != null) {
                c.close();
            }
        }
    }
}
