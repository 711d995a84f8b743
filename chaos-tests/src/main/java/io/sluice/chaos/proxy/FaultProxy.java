package io.sluice.chaos.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault-injecting TCP proxy: listens on its own port and forwards every accepted connection to
 * one upstream address, byte for byte, unless told to {@linkplain #delay delay}, {@linkplain #stall
 * stall} or {@linkplain #cutAll cut}. Clients reach the broker only through it (the broker
 * advertises the proxy's port), so a link fault hits the client connections the way a bad network
 * would, and the same class will sit between brokers when replication lands.
 *
 * <p>One selector thread does all I/O; the control methods only publish a new {@link LinkMode} or
 * queue a command, so they are thread-safe and never block. Chunks are queued per direction with
 * the time they may leave, so a delay holds bytes back without reordering them; a direction whose
 * queue exceeds {@link #QUEUED_BYTES_MAX} stops reading until it drains (back-pressure into the
 * kernel buffers and thus onto the sender).
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
    static final int QUEUED_BYTES_MAX = 4 << 20;
    private static final int CHUNK_BYTES = 64 << 10;
    private static final long IDLE_SELECT_MS = 50;

    private final InetSocketAddress upstream;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Thread loop;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final List<Link> links = new ArrayList<>();
    private final AtomicLong acceptedConnections = new AtomicLong();
    private final AtomicLong cutConnections = new AtomicLong();
    private volatile LinkMode mode = LinkMode.pass();
    private volatile Consumer<ProduceAck> produceAcks;
    private volatile boolean closed;

    /** Binds to an ephemeral port on the loopback interface and starts forwarding. */
    public FaultProxy(String name, InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.loop = new Thread(this::run, "fault-proxy-" + name);
        loop.setDaemon(true);
        loop.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    public LinkMode mode() {
        return mode;
    }

    /** Forward everything at once again; stalled bytes flow, delayed bytes keep their due time. */
    public void heal() {
        setMode(LinkMode.pass());
    }

    /** Hold every chunk back by {@code delayMs} in both directions (new and existing connections). */
    public void delay(long delayMs) {
        setMode(LinkMode.delay(delayMs));
    }

    /** Stop forwarding in both directions while keeping the connections open: a hung peer. */
    public void stall() {
        setMode(LinkMode.stalled());
    }

    /** Close new connections as soon as they are accepted (a refusing or crashed peer). */
    public void refuse() {
        setMode(LinkMode.refusing());
    }

    public void setMode(LinkMode newMode) {
        mode = newMode;
        selector.wakeup();
    }

    /** Closes every open connection with a reset; new connections are still accepted. */
    public void cutAll() {
        commands.add(() -> {
            for (Link link : new ArrayList<>(links)) {
                cutConnections.incrementAndGet();
                link.close(true);
            }
        });
        selector.wakeup();
    }

    /**
     * Reports each partition a Produce response from the broker behind this proxy acknowledges
     * (error NONE), when the proxy hands it to the client: the connection names the node, which
     * kafka-clients does not. Watches connections accepted from now on; called on the proxy's
     * thread, so {@code listener} must be quick and thread-safe.
     */
    public void observeProduceAcks(Consumer<ProduceAck> listener) {
        produceAcks = listener;
    }

    public long acceptedConnections() {
        return acceptedConnections.get();
    }

    public long cutConnections() {
        return cutConnections.get();
    }

    private void run() {
        try {
            while (!closed) {
                Runnable command;
                while ((command = commands.poll()) != null) {
                    command.run();
                }
                long now = System.nanoTime();
                long waitMs = IDLE_SELECT_MS;
                LinkMode current = mode;
                for (Link link : new ArrayList<>(links)) {
                    link.pump(now, current);
                    long nextDue = link.nextDueNanos();
                    if (nextDue != Long.MAX_VALUE) {
                        waitMs = Math.max(1, Math.min(waitMs, (nextDue - now) / 1_000_000 + 1));
                    }
                }
                selector.select(waitMs);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.attachment() instanceof Half half) {
                        if (key.isConnectable()) {
                            half.link.finishConnect();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException e) {
            // closed underneath us by close(): the normal way out
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("fault proxy to {} stopped", upstream, e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            acceptedConnections.incrementAndGet();
            if (mode.kind() == LinkMode.Kind.REFUSE) {
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close();
                continue;
            }
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SocketChannel up = SocketChannel.open();
            up.configureBlocking(false);
            up.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Consumer<ProduceAck> acks = produceAcks;
            Link link = new Link(client, up, acks == null ? null : new ProduceAckDecoder(acks));
            links.add(link);
            up.connect(upstream);
            link.register();
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            loop.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Link link : new ArrayList<>(links)) {
            link.close(false);
        }
        try {
            server.close();
            selector.close();
        } catch (IOException e) {
            LOG.warn("closing fault proxy to {}", upstream, e);
        }
    }

    /** One direction of a link: reads from {@code from}, queues, writes to the other half's channel. */
    private static final class Half {
        final Link link;
        final SocketChannel from;
        final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        long queuedBytes;
        boolean eof;
        Half peer;

        Half(Link link, SocketChannel from) {
            this.link = link;
            this.from = from;
        }
    }

    private record Chunk(long dueNanos, ByteBuffer bytes) { }

    /** A client connection and its upstream connection, owned by the selector thread. */
    private final class Link {
        final Half clientToUpstream;
        final Half upstreamToClient;
        final SocketChannel client;
        final SocketChannel up;
        /** Null unless produce acknowledgements are observed; sees bytes only after they are written. */
        final ProduceAckDecoder decoder;
        boolean connected;
        boolean isClosed;

        Link(SocketChannel client, SocketChannel up, ProduceAckDecoder decoder) {
            this.client = client;
            this.up = up;
            this.decoder = decoder;
            clientToUpstream = new Half(this, client);
            upstreamToClient = new Half(this, up);
            clientToUpstream.peer = upstreamToClient;
            upstreamToClient.peer = clientToUpstream;
        }

        void register() throws IOException {
            up.register(selector, SelectionKey.OP_CONNECT, upstreamToClient);
            client.register(selector, SelectionKey.OP_READ, clientToUpstream);
        }

        void finishConnect() {
            try {
                if (up.finishConnect()) {
                    connected = true;
                    up.keyFor(selector).interestOps(SelectionKey.OP_READ);
                }
            } catch (IOException e) {
                close(true);
            }
        }

        /** Reads what is readable (unless stalled), then writes whatever is due. Never blocks. */
        void pump(long now, LinkMode current) {
            if (isClosed) {
                return;
            }
            try {
                boolean stalled = current.kind() == LinkMode.Kind.STALL;
                if (!stalled) {
                    read(clientToUpstream, now, current);
                    if (connected) {
                        read(upstreamToClient, now, current);
                    }
                }
                if (connected && !stalled) {
                    write(clientToUpstream, up, now);
                    write(upstreamToClient, client, now);
                }
                if ((clientToUpstream.eof && clientToUpstream.queue.isEmpty())
                        || (upstreamToClient.eof && upstreamToClient.queue.isEmpty())) {
                    close(false);
                    return;
                }
                // Interest only in what can make progress, so a stalled link or a full queue
                // does not spin the selector on a channel that stays readable.
                client.keyFor(selector).interestOps(interest(clientToUpstream, upstreamToClient, now, stalled));
                if (connected) {
                    up.keyFor(selector).interestOps(interest(upstreamToClient, clientToUpstream, now, stalled));
                }
            } catch (IOException e) {
                close(true);
            }
        }

        private int interest(Half reading, Half writingToThisChannel, long now, boolean stalled) {
            int ops = 0;
            if (!stalled && !reading.eof && reading.queuedBytes < QUEUED_BYTES_MAX) {
                ops |= SelectionKey.OP_READ;
            }
            Chunk head = writingToThisChannel.queue.peek();
            if (!stalled && head != null && head.dueNanos() <= now) {
                ops |= SelectionKey.OP_WRITE;
            }
            return ops;
        }

        private void read(Half half, long now, LinkMode current) throws IOException {
            while (!half.eof && half.queuedBytes < QUEUED_BYTES_MAX) {
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);
                int n = half.from.read(buf);
                if (n < 0) {
                    half.eof = true;
                } else if (n > 0) {
                    buf.flip();
                    half.queue.add(new Chunk(now + current.delayMs() * 1_000_000L, buf));
                    half.queuedBytes += n;
                }
                if (n <= 0) {
                    return;
                }
            }
        }

        private void write(Half half, SocketChannel to, long now) throws IOException {
            Chunk head;
            while ((head = half.queue.peek()) != null && head.dueNanos() <= now) {
                int before = head.bytes().position();
                int n = to.write(head.bytes());
                half.queuedBytes -= n;
                if (decoder != null && n > 0) {
                    ByteBuffer written = head.bytes().duplicate();
                    written.limit(before + n).position(before);
                    if (half == clientToUpstream) {
                        decoder.clientToBroker(written);
                    } else {
                        decoder.brokerToClient(written);
                    }
                }
                if (head.bytes().hasRemaining()) {
                    return;
                }
                half.queue.poll();
            }
        }

        long nextDueNanos() {
            long due = Long.MAX_VALUE;
            Chunk a = clientToUpstream.queue.peek();
            Chunk b = upstreamToClient.queue.peek();
            if (a != null) {
                due = a.dueNanos();
            }
            if (b != null) {
                due = Math.min(due, b.dueNanos());
            }
            // Unsent bytes that are already due (a full socket buffer) are retried on the next tick.
            return due;
        }

        void close(boolean reset) {
            if (isClosed) {
                return;
            }
            isClosed = true;
            links.remove(this);
            for (SocketChannel ch : new SocketChannel[] {client, up}) {
                try {
                    if (reset && ch.isOpen()) {
                        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                    }
                    ch.close();
                } catch (IOException e) {
                    LOG.debug("closing proxied channel", e);
                }
            }
        }
    }
}
