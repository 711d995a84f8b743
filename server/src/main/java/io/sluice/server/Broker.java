package io.sluice.server;

import io.sluice.metadata.client.BrokerLifecycle;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.metadata.node.MetadataNode;
import io.sluice.server.config.DynamicBrokerConfigs;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.group.GroupApis;
import io.sluice.server.group.GroupMetrics;
import io.sluice.server.group.lag.LagMetrics;
import io.sluice.server.group.lag.LagMonitor;
import io.sluice.server.group.lag.LagMonitorService;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.handler.FetchHandler;
import io.sluice.server.handler.HandlerContext;
import io.sluice.server.handler.KafkaApis;
import io.sluice.server.handler.ProducerIdManager;
import io.sluice.server.handler.TopicConfigs;
import io.sluice.server.metrics.BrokerGauges;
import io.sluice.server.metrics.LogFlushMetrics;
import io.sluice.server.metrics.MetricsServer;
import io.sluice.server.metrics.QuorumGauges;
import io.sluice.server.metrics.ReplicationThrottleGauges;
import io.sluice.server.metrics.RequestMetrics;
import io.sluice.server.metrics.TopicMetrics;
import io.sluice.server.network.NetworkServer;
import io.sluice.server.quota.BrokerQuotas;
import io.sluice.server.quota.QuotaDispatcher;
import io.sluice.server.quota.ReplicationThrottles;
import io.sluice.replication.Partition;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.fetcher.FetcherConfig;
import io.sluice.replication.fetcher.ReplicaFetcherManager;
import io.sluice.replication.selector.ReplicaSelector;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaCodec;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.common.utils.Time;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker process, alone ({@code process.roles=broker}, following the quorum) or combined with a
 * voter of the metadata quorum: the partition logs (storage), the quorum membership
 * (raft-metadata), the partition replicas (replication), and the Kafka listener. Start order: logs,
 * quorum, partitions from the image, listener, broker registration; close in reverse. Owned by
 * {@link Main}; start once, close once. Thread-safe.
 */
public final class Broker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final ServerConfig config;
    private LogManager logs;
    private MetadataNode metadata;
    private ReplicaManager replicas;
    private ReplicaFetcherManager fetchers;
    private ReplicationThrottles replicationThrottles;
    private volatile BrokerLifecycle lifecycle;
    private final List<NetworkServer> networks = new ArrayList<>();
    private FetchHandler fetch;
    private GroupApis groups;
    private MetricsServer metricsServer;
    private LagMonitorService lagMonitor;
    private BrokerQuotas quotas;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private InetSocketAddress boundAddress;
    private volatile boolean closed;
    /** Runs log cleaner reconfigurations in order, off the metadata thread. */
    private final ExecutorService cleanerReconfiguration = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-log-cleaner-reconfiguration");
        t.setDaemon(true);
        return t;
    });

    private Broker(ServerConfig config) {
        this.config = config;
    }

    /** Starts every part and returns once clients can produce and fetch. */
    public static Broker start(ServerConfig config) throws IOException, InterruptedException {
        Broker b = new Broker(config);
        try {
            b.startParts();
        } catch (IOException | InterruptedException | RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    private void startParts() throws IOException, InterruptedException {
        // First, so a taken metrics port refuses the start before any data dir is touched.
        metricsServer = config.metricsListener().map(listener -> MetricsServer.start(listener, registry)).orElse(null);
        Map<String, String> props = new HashMap<>(config.originals());
        List<Path> logDirs = config.logDirs();
        for (Path dir : logDirs) {
            Files.createDirectories(dir);
        }
        props.put(ServerConfigDef.LOG_DIRS, String.join(",", logDirs.stream().map(Path::toString).toList()));
        LogManagerConfig logConfig = LogManagerConfig.fromBrokerProperties(props);
        LogConfig defaults = logConfig.defaultLogConfig();
        logs = LogManager.start(logConfig, Clock.systemUTC(), topic -> defaults,
                new LogFlushMetrics(registry, metricsServer != null));
        logs.addLogDirFailureListener(dir -> haltWhenEveryLogDirIsOffline(dir, logDirs.size()));

        metadata = QuorumMember.join(config);

        LongSupplier brokerEpoch = () -> lifecycle == null ? -1 : lifecycle.brokerEpoch();
        replicationThrottles = new ReplicationThrottles(config.nodeId(),
                config.getInt(ServerConfigDef.REPLICATION_QUOTA_WINDOW_NUM),
                config.getInt(ServerConfigDef.REPLICATION_QUOTA_WINDOW_SIZE_SECONDS), Time.SYSTEM);
        fetchers = startReplicaFetchers(brokerEpoch);
        replicas = new ReplicaManager(
                new ReplicaManager.Settings(config.nodeId(), config.getLong(ServerConfigDef.REPLICA_LAG_TIME_MAX_MS),
                        config.getInt(ServerConfigDef.PRODUCER_ID_EXPIRATION_MS),
                        ReplicaSelector.forClassName(config.getString(ServerConfigDef.REPLICA_SELECTOR_CLASS)),
                        config.getLong(ServerConfigDef.REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS)),
                logs, metadata.client(), brokerEpoch,
                (image, topic) -> DynamicBrokerConfigs.logConfig(defaults, config.nodeId(), image, topic),
                topic -> minInsyncReplicas(topic), fetchers, Clock.systemUTC());
        // The cleaner never compacts what replication may still truncate: it stops at the high watermark
        // (no replica here: nothing is cleaned).
        logs.cleaner().setStableOffsetBound(tp -> {
            Partition p = replicas.partition(tp.topic(), tp.partition());
            return p == null ? -1L : p.highWatermark();
        });
        metadata.client().subscribe(replicas::onMetadata);
        metadata.client().subscribe((image, delta) -> {
            if (delta == null || delta.configsChanged() || !delta.createdTopics().isEmpty()
                    || !delta.deletedTopics().isEmpty()) {
                replicationThrottles.onMetadata(image); // without a restart, as Kafka's config handlers
            }
        });
        replicationThrottles.onMetadata(metadata.client().image());
        metadata.client().subscribe((image, delta) -> {
            if (delta == null || delta.configsChanged()) {
                resizeReplicaFetchers(image);
                reconfigureCleaner(logConfig.cleanerConfig(), image, delta != null && !delta.imageReplaced());
            }
        });
        // What was stored before this start applies now, as Kafka applies dynamic configs at start.
        resizeReplicaFetchers(metadata.client().image());
        reconfigureCleaner(logConfig.cleanerConfig(), metadata.client().image(), false);
        replicas.onMetadata(metadata.client().image(), null);

        TopicMetrics topicMetrics = new TopicMetrics(registry, metricsServer != null);
        metadata.client().subscribe((image, delta) -> {
            if (delta != null) {
                delta.deletedTopics().forEach(topic -> topicMetrics.forget(topic.name()));
            }
        });
        ProducerIdManager producerIds = new ProducerIdManager(metadata.client(), config.nodeId(), brokerEpoch);
        quotas = new BrokerQuotas(config.getInt(ServerConfigDef.QUOTA_WINDOW_NUM),
                config.getInt(ServerConfigDef.QUOTA_WINDOW_SIZE_SECONDS),
                config.getInt(ServerConfigDef.CONTROLLER_QUOTA_WINDOW_NUM),
                config.getInt(ServerConfigDef.CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS), Time.SYSTEM, registry);
        metadata.client().subscribe((image, delta) -> quotas.onMetadata(image));
        quotas.onMetadata(metadata.client().image());
        HandlerContext ctx = new HandlerContext(config, metadata.client(), replicas, config.nodeId(),
                Clock.systemUTC(), new TopicConfigs(config), producerIds, topicMetrics, quotas);
        KafkaCodec codec = new KafkaCodec(ApiVersionsTable.sluice());
        fetch = new FetchHandler(ctx, replicationThrottles);
        groups = GroupApis.start(ctx);
        GroupMetrics.register(registry, groups.coordinator());
        Map<Short, ApiHandler> more = new HashMap<>(groups.handlers());
        MetadataNode quorum = metadata;
        more.put(ApiVersionsTable.DESCRIBE_QUORUM, KafkaApis.describeQuorum(quorum::quorumStatus,
                config.list(ServerConfigDef.CONTROLLER_LISTENER_NAMES).stream().findFirst().orElse("CONTROLLER")));
        KafkaApis apis = new KafkaApis(codec.table(), ctx, fetch, more);
        QuotaDispatcher dispatcher = new QuotaDispatcher(apis, quotas);
        RequestMetrics requestMetrics = new RequestMetrics(codec.table(), registry, metricsServer != null);
        QuorumGauges.register(registry, quorum, config.nodeId());
        ReplicationThrottleGauges.register(registry, replicationThrottles);
        BrokerGauges.register(registry, replicas, fetchers, metadata::image, logs, this::minInsyncReplicas,
                () -> quorum.quorumStatus().leaderId().filter(id -> id == config.nodeId()).isPresent(), Clock.systemUTC());
        NetworkServer.Limits limits = new NetworkServer.Limits(
                config.getInt(ServerConfigDef.SOCKET_REQUEST_MAX_BYTES),
                config.getLong(ServerConfigDef.CONNECTIONS_MAX_IDLE_MS),
                config.getInt(ServerConfigDef.CONNECTION_INFLIGHT_REQUESTS_MAX),
                config.getInt(ServerConfigDef.NUM_NETWORK_THREADS),
                config.getInt(ServerConfigDef.SOCKET_SEND_BUFFER_BYTES),
                config.getInt(ServerConfigDef.SOCKET_RECEIVE_BUFFER_BYTES),
                config.getInt(ServerConfigDef.CONNECTION_OUTBOUND_BYTES_MAX));
        // One server per listener, as Kafka has processors per listener; each connection knows its
        // listener, so clients are given the brokers' endpoints on the listener they came in on.
        List<Endpoint> endpoints = new ArrayList<>();
        for (ServerConfig.Listener listener : config.brokerListeners()) {
            NetworkServer server = new NetworkServer(codec, dispatcher, requestMetrics, limits);
            networks.add(server);
            InetSocketAddress bound = server.start(listener.name(), listener.host(), listener.port());
            ServerConfig.Listener adv = config.advertised(listener);
            endpoints.add(new Endpoint(listener.name(), adv.host().isEmpty() ? "localhost" : adv.host(),
                    adv.port() == 0 ? bound.getPort() : adv.port(), (short) 0));
            if (boundAddress == null) {
                boundAddress = bound;
            }
        }
        lifecycle = metadata.startBroker(endpoints, Optional.ofNullable(config.getString(ServerConfigDef.BROKER_RACK)));
        try {
            lifecycle.awaitUnfenced().get(QuorumMember.READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("broker not unfenced by the quorum: " + e, e);
        }
        if (metricsServer != null) {
            startLagMonitor(endpoints);
        }
        ServerConfig.Listener client = config.clientListener();
        Endpoint advertised = endpoints.get(0);
        LOG.info("Sluice broker {} started: clients on {}://{}:{} (advertised {}:{}), {} transport; listeners {}; "
                        + "data in {}; metadata quorum {} in {}",
                config.nodeId(), client.name(), client.host().isEmpty() ? "0.0.0.0" : client.host(),
                boundAddress.getPort(), advertised.host(), advertised.port(), networks.get(0).transport(),
                endpoints.stream().map(e -> e.listenerName() + "://" + e.host() + ":" + e.port()).toList(),
                logDirs.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(),
                QuorumMember.voters(config), config.metadataDir().toAbsolutePath().normalize());
    }

    /** Lag verdicts of the groups coordinated here, read by the metrics endpoint (and so by bin/sluice status). */
    private void startLagMonitor(List<Endpoint> endpoints) {
        Endpoint interBroker = endpoints.stream().filter(e -> e.listenerName().equals(config.interBrokerListenerName()))
                .findFirst().orElse(endpoints.get(0));
        lagMonitor = new LagMonitorService(new LagMonitor.Settings(config.getInt(ServerConfigDef.LAG_WINDOW_COMMITS),
                config.getInt(ServerConfigDef.LAG_END_SAMPLES_MAX), config.getInt(ServerConfigDef.LAG_PARTITIONS_MAX)),
                groups.coordinator(), interBroker.host() + ":" + interBroker.port(),
                config.getInt(ServerConfigDef.REPLICA_SOCKET_TIMEOUT_MS), () -> Clock.systemUTC().millis());
        LagMetrics.register(registry, lagMonitor::view);
        lagMonitor.start(config.getLong(ServerConfigDef.LAG_SAMPLE_INTERVAL_MS));
    }

    /**
     * As Kafka does: a broker none of whose log dirs works can serve nothing, so it halts (exit 1)
     * instead of living on as a zombie; a supervisor's restart then recovers once the disk is fixed.
     * Halt, not close: closing would flush and checkpoint to the very dirs that just failed.
     */
    private void haltWhenEveryLogDirIsOffline(Path failedDir, int logDirCount) {
        if (logs.offlineLogDirs().size() >= logDirCount) {
            LOG.error("Shutting down broker {}: every log dir is offline (last: {}); restart it once the disk is fixed",
                    config.nodeId(), failedDir);
            Runtime.getRuntime().halt(1);
        }
    }

    /**
     * Applies the dynamic log cleaner settings in {@code image} over server.properties' (Kafka's
     * {@code LogCleaner.reconfigure}) on the cleaner's own reconfiguration thread: restarting the
     * cleaner threads waits for them, and metadata listeners must not block. On a change, a value this
     * broker's cleaner refuses (the alter was validated against another broker's) leaves the settings
     * in force and is logged, as Kafka does; the settings of a whole image (at start, or a snapshot
     * load) apply unchecked, as Kafka applies them before its cleaner starts.
     */
    /** num.replica.fetchers: this broker's dynamic value, else the cluster default, else server.properties. */
    private void resizeReplicaFetchers(MetadataImage image) {
        fetchers.resize(Integer.parseInt(DynamicBrokerConfigs.effective(ServerConfigDef.NUM_REPLICA_FETCHERS,
                Integer.toString(config.getInt(ServerConfigDef.NUM_REPLICA_FETCHERS)), config.nodeId(), image)));
    }

    private void reconfigureCleaner(CleanerConfig staticConfig, MetadataImage image, boolean change) {
        CleanerConfig next;
        try {
            next = DynamicBrokerConfigs.cleanerConfig(staticConfig, config.nodeId(), image);
        } catch (IllegalArgumentException e) {
            LOG.error("Dynamic log cleaner config not applied, the cleaner keeps {}: {}", logs.cleaner().config(),
                    e.getMessage());
            return;
        }
        cleanerReconfiguration.execute(() -> {
            try {
                logs.cleaner().reconfigure(next, change);
            } catch (IllegalArgumentException e) {
                LOG.error("Dynamic log cleaner config not applied, the cleaner keeps {}: {}", logs.cleaner().config(),
                        e.getMessage());
            }
        });
    }

    /** The replica fetchers, reaching leaders on their inter-broker listener as registered in the metadata. */
    private ReplicaFetcherManager startReplicaFetchers(LongSupplier brokerEpoch) {
        String listenerName = config.interBrokerListenerName();
        FetcherConfig fc = new FetcherConfig(config.nodeId(), brokerEpoch,
                config.getInt(ServerConfigDef.NUM_REPLICA_FETCHERS), config.getInt(ServerConfigDef.REPLICA_FETCH_MAX_BYTES),
                config.getInt(ServerConfigDef.REPLICA_FETCH_RESPONSE_MAX_BYTES),
                config.getInt(ServerConfigDef.REPLICA_FETCH_WAIT_MAX_MS), config.getInt(ServerConfigDef.REPLICA_FETCH_MIN_BYTES),
                config.getLong(ServerConfigDef.REPLICA_FETCH_BACKOFF_MS), config.getInt(ServerConfigDef.REPLICA_SOCKET_TIMEOUT_MS));
        return new ReplicaFetcherManager(fc, brokerId -> metadata.image().broker(brokerId)
                .flatMap(b -> b.endpoint(listenerName))
                .map(e -> new InetSocketAddress(e.host(), e.port())), replicationThrottles.follower());
    }

    /** A topic's min.insync.replicas: its own config, else the broker's. */
    private int minInsyncReplicas(TopicImage topic) {
        String v = topic.configs().get(ServerConfigDef.MIN_INSYNC_REPLICAS);
        return v != null ? Integer.parseInt(v) : config.getInt(ServerConfigDef.MIN_INSYNC_REPLICAS);
    }

    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** Stops the listener, the quorum, and flushes and closes the logs. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        moveLeadershipAway();
        closeQuietly("lag monitor", lagMonitor);
        networks.forEach(n -> closeQuietly("network", n));
        closeQuietly("group coordinator", groups);
        closeQuietly("fetch readers", fetch);
        closeQuietly("replica fetchers", fetchers);
        closeQuietly("partitions", replicas);
        closeQuietly("metadata quorum", metadata);
        cleanerReconfiguration.shutdown(); // a reconfiguration in progress ends; the logs' close stops the cleaner
        closeQuietly("logs", logs);
        closeQuietly("metrics endpoint", metricsServer);
        closeQuietly("client quotas", quotas);
        LOG.info("Sluice broker {} stopped in {} ms", config.nodeId(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Controlled shutdown ({@code controlled.shutdown.enable}): the quorum fences this broker and
     * gives its partitions new leaders from their ISRs before the listener closes, so producers see
     * NOT_LEADER_OR_FOLLOWER (retriable) and move on instead of waiting out a session timeout.
     * Skipped when no other broker is registered: there is nobody to hand leadership to.
     */
    private void moveLeadershipAway() {
        BrokerLifecycle l = lifecycle;
        if (l == null || replicas == null || !config.getBoolean(ServerConfigDef.CONTROLLED_SHUTDOWN_ENABLE)
                || metadata.image().brokers().size() < 2) {
            return;
        }
        long timeoutMs = config.getLong(ServerConfigDef.CONTROLLED_SHUTDOWN_TIMEOUT_MS);
        try {
            boolean fenced = l.requestControlledShutdown().get(timeoutMs, TimeUnit.MILLISECONDS);
            CompletableFuture<Void> applied = new CompletableFuture<>();
            replicas.afterPendingChanges(() -> applied.complete(null));
            applied.get(timeoutMs, TimeUnit.MILLISECONDS);
            LOG.info("Controlled shutdown of broker {}: {}", config.nodeId(),
                    fenced ? "leadership moved to the other in-sync replicas" : "the quorum did not answer; stopping anyway");
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Controlled shutdown of broker {} did not finish in {} ms; stopping anyway", config.nodeId(), timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(String what, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.error("Closing {} failed", what, e);
        }
    }
}
