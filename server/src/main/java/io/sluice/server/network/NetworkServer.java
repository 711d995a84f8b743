package io.sluice.server.network;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.server.metrics.RequestMetrics;
import io.sluice.server.protocol.KafkaCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listener: a Netty server on the native epoll transport when available (NIO
 * otherwise). One acceptor thread and {@code num.network.threads} event loops; requests are
 * parsed, handled and answered on the connection's event loop (see docs/network.md for why).
 * Owned by the broker; start once, close once. Thread-safe.
 */
public final class NetworkServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkServer.class);

    /** Limits of one listener; names follow Kafka's settings. */
    public record Limits(int requestBytesMax, long connectionsMaxIdleMs, int inflightRequestsMax,
                         int networkThreads, int sendBufferBytes, int receiveBufferBytes,
                         int outboundBytesHighWaterMark) { }

    private final KafkaCodec codec;
    private final RequestDispatcher dispatcher;
    private final RequestMetrics metrics;
    private final Limits limits;
    private final AtomicLong connectionIds = new AtomicLong();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    /** Diagnostics switch for measurements (docs/server.md): -Dsluice.network.transport=nio. */
    private final boolean epoll = Epoll.isAvailable() && !"nio".equals(System.getProperty("sluice.network.transport"));

    public NetworkServer(KafkaCodec codec, RequestDispatcher dispatcher, RequestMetrics metrics, Limits limits) {
        this.codec = codec;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.limits = limits;
    }

    /**
     * Binds the listener named {@code listenerName} and starts accepting; returns the bound address
     * (port 0 picks a free port).
     */
    public InetSocketAddress start(String listenerName, String host, int port) throws InterruptedException {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sluice-acceptor"), io);
        workers = new MultiThreadIoEventLoopGroup(limits.networkThreads(), new DefaultThreadFactory("sluice-network"), io);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.outboundBytesHighWaterMark() / 2, limits.outboundBytesHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long id = connectionIds.incrementAndGet();
                        RequestDispatcher.ClientInfo client =
                                new RequestDispatcher.ClientInfo(String.valueOf(ch.remoteAddress()), id, ch.eventLoop(),
                                        listenerName);
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, limits.connectionsMaxIdleMs(), TimeUnit.MILLISECONDS))
                                .addLast("requests", new ConnectionHandler(codec, dispatcher, metrics, client,
                                        limits.inflightRequestsMax(), limits.requestBytesMax()));
                    }
                });
        if (limits.sendBufferBytes() > 0) {
            b.childOption(ChannelOption.SO_SNDBUF, limits.sendBufferBytes());
        }
        if (limits.receiveBufferBytes() > 0) {
            b.childOption(ChannelOption.SO_RCVBUF, limits.receiveBufferBytes());
        }
        InetSocketAddress bindAddress = host == null || host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        serverChannel = b.bind(bindAddress).sync().channel();
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("Listener {} on {} ({} transport, {} network threads)", listenerName, bound, epoll ? "epoll" : "nio",
                limits.networkThreads());
        return bound;
    }

    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    /** Stops accepting, closes connections, and waits (bounded) for the event loops to end. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
