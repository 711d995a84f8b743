package io.sluice.metadata.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of one metadata node, in Kafka's names where Kafka has one. Immutable, thread-safe.
 * Build with {@link #builder()} or {@link #fromProperties(Properties)}.
 *
 * <p>Election timeout: Ratis elects after a random wait in
 * {@code [electionTimeoutMs, 2 × electionTimeoutMs]}. Kafka's {@code controller.quorum.election.timeout.ms}
 * defaults to 1000 ms for its own Raft; Sluice defaults to Ratis' own 150 ms so a lost leader is
 * replaced in under a second (measured in bench, "Metadata quorum": 300 ms gave a 1.06 s median).
 *
 * <p>Past the house's ~400 lines because it is a flat list: each of some twenty settings has its
 * name, its parsing, its accessor and its builder method, and no logic beyond range checks that a
 * split would separate.
 */
public final class MetadataNodeConfig {
    public static final String NODE_ID = "node.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String QUORUM_VOTERS = "controller.quorum.voters";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String LOG_DIRS = "log.dirs";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String ELECTION_TIMEOUT_MS = "controller.quorum.election.timeout.ms";
    public static final int DEFAULT_ELECTION_TIMEOUT_MS = 150;
    public static final String REQUEST_TIMEOUT_MS = "controller.quorum.request.timeout.ms";
    public static final String SNAPSHOT_INTERVAL_ENTRIES = "sluice.metadata.snapshot.interval.entries";
    public static final String SNAPSHOT_RETAIN_COUNT = "sluice.metadata.snapshot.retain.count";
    public static final String SUBMIT_TIMEOUT_MS = "sluice.metadata.submit.timeout.ms";
    public static final String LOG_SEGMENT_BYTES = "sluice.metadata.log.segment.bytes";
    public static final String LISTENERS = "listeners";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    /** Kafka's default {@code inter.broker.listener.name} (from security.inter.broker.protocol=PLAINTEXT). */
    public static final String DEFAULT_INTER_BROKER_LISTENER_NAME = "PLAINTEXT";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";

    private final int nodeId;
    private final Set<ProcessRole> processRoles;
    private final List<QuorumVoter> voters;
    private final Path metadataDir;
    private final int brokerSessionTimeoutMs;
    private final int brokerHeartbeatIntervalMs;
    private final int electionTimeoutMs;
    private final int requestTimeoutMs;
    private final int submitTimeoutMs;
    private final int submitAttemptsMax;
    private final long snapshotIntervalEntries;
    private final int snapshotRetainCount;
    private final int fenceCheckIntervalMs;
    private final boolean deadBrokerProbe;
    private final String interBrokerListenerName;
    private final int followerFetchWaitMs;
    private final int logSegmentBytes;
    private final String bindHost;
    private final boolean autoLeaderRebalanceEnable;
    private final long leaderImbalanceCheckIntervalSeconds;
    private final Clock clock;

    private MetadataNodeConfig(Builder b) {
        this.nodeId = b.nodeId;
        this.processRoles = Set.copyOf(b.processRoles);
        this.voters = List.copyOf(Objects.requireNonNull(b.voters, QUORUM_VOTERS));
        this.metadataDir = Objects.requireNonNull(b.metadataDir, METADATA_LOG_DIR);
        this.brokerSessionTimeoutMs = b.brokerSessionTimeoutMs;
        this.brokerHeartbeatIntervalMs = b.brokerHeartbeatIntervalMs;
        this.electionTimeoutMs = b.electionTimeoutMs;
        this.requestTimeoutMs = b.requestTimeoutMs;
        this.submitTimeoutMs = b.submitTimeoutMs;
        this.submitAttemptsMax = b.submitAttemptsMax;
        this.snapshotIntervalEntries = b.snapshotIntervalEntries;
        this.snapshotRetainCount = b.snapshotRetainCount;
        this.fenceCheckIntervalMs = b.fenceCheckIntervalMs;
        this.deadBrokerProbe = b.deadBrokerProbe;
        this.interBrokerListenerName = Objects.requireNonNull(b.interBrokerListenerName, INTER_BROKER_LISTENER_NAME);
        this.followerFetchWaitMs = b.followerFetchWaitMs;
        this.logSegmentBytes = b.logSegmentBytes;
        this.bindHost = b.bindHost;
        this.autoLeaderRebalanceEnable = b.autoLeaderRebalanceEnable;
        this.leaderImbalanceCheckIntervalSeconds = b.leaderImbalanceCheckIntervalSeconds;
        this.clock = Objects.requireNonNull(b.clock, "clock");
        if (processRoles.isEmpty()) {
            throw new IllegalArgumentException(PROCESS_ROLES + " is empty");
        }
        boolean voter = voters.stream().anyMatch(v -> v.id() == nodeId);
        if (processRoles.contains(ProcessRole.CONTROLLER) && !voter) {
            throw new IllegalArgumentException(PROCESS_ROLES + " contains controller but " + NODE_ID + "=" + nodeId
                + " is not in " + QUORUM_VOTERS + "=" + QuorumVoter.format(voters));
        }
        if (!processRoles.contains(ProcessRole.CONTROLLER) && voter) {
            throw new IllegalArgumentException(NODE_ID + "=" + nodeId + " is in " + QUORUM_VOTERS
                + " but " + PROCESS_ROLES + " lacks controller");
        }
        if (brokerHeartbeatIntervalMs <= 0 || brokerSessionTimeoutMs <= brokerHeartbeatIntervalMs) {
            throw new IllegalArgumentException(BROKER_SESSION_TIMEOUT_MS + "=" + brokerSessionTimeoutMs
                + " must exceed " + BROKER_HEARTBEAT_INTERVAL_MS + "=" + brokerHeartbeatIntervalMs + " > 0");
        }
        positive(ELECTION_TIMEOUT_MS, electionTimeoutMs);
        positive(REQUEST_TIMEOUT_MS, requestTimeoutMs);
        positive(SUBMIT_TIMEOUT_MS, submitTimeoutMs);
        positive("submitAttemptsMax", submitAttemptsMax);
        positive(SNAPSHOT_INTERVAL_ENTRIES, snapshotIntervalEntries);
        positive(SNAPSHOT_RETAIN_COUNT, snapshotRetainCount);
        positive("fenceCheckIntervalMs", fenceCheckIntervalMs);
        positive("followerFetchWaitMs", followerFetchWaitMs);
        positive(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, leaderImbalanceCheckIntervalSeconds);
        if (logSegmentBytes < 16 * 1024) {
            throw new IllegalArgumentException(LOG_SEGMENT_BYTES + " must be at least 16384: " + logSegmentBytes);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the keys this module knows from a {@code server.properties}; other keys are ignored
     * (the server validates its own). Throws IllegalArgumentException naming a bad setting.
     */
    public static MetadataNodeConfig fromProperties(Properties p) {
        Builder b = builder();
        b.nodeId(intValue(p, NODE_ID, null));
        String roles = required(p, PROCESS_ROLES);
        EnumSet<ProcessRole> set = EnumSet.noneOf(ProcessRole.class);
        for (String r : roles.split(",")) {
            String s = r.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                set.add(ProcessRole.valueOf(s.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PROCESS_ROLES + ": unknown role '" + s + "'", e);
            }
        }
        b.processRoles(set);
        b.voters(QuorumVoter.parseList(required(p, QUORUM_VOTERS)));
        String dir = p.getProperty(METADATA_LOG_DIR);
        if (dir == null) {
            String logDirs = p.getProperty(LOG_DIRS);
            if (logDirs == null) {
                throw new IllegalArgumentException("neither " + METADATA_LOG_DIR + " nor " + LOG_DIRS + " is set");
            }
            dir = logDirs.split(",")[0].trim();
        }
        b.metadataDir(Path.of(dir));
        b.brokerSessionTimeoutMs(intValue(p, BROKER_SESSION_TIMEOUT_MS, 9000));
        b.brokerHeartbeatIntervalMs(intValue(p, BROKER_HEARTBEAT_INTERVAL_MS, 2000));
        b.electionTimeoutMs(intValue(p, ELECTION_TIMEOUT_MS, DEFAULT_ELECTION_TIMEOUT_MS));
        b.requestTimeoutMs(intValue(p, REQUEST_TIMEOUT_MS, 2000));
        b.submitTimeoutMs(intValue(p, SUBMIT_TIMEOUT_MS, 10_000));
        b.snapshotIntervalEntries(intValue(p, SNAPSHOT_INTERVAL_ENTRIES, 20_000));
        b.snapshotRetainCount(intValue(p, SNAPSHOT_RETAIN_COUNT, 2));
        b.logSegmentBytes(intValue(p, LOG_SEGMENT_BYTES, 1 << 20));
        b.autoLeaderRebalanceEnable(booleanValue(p, AUTO_LEADER_REBALANCE_ENABLE, true));
        b.leaderImbalanceCheckIntervalSeconds(longValue(p, LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, 300));
        controllerListenerHost(p).ifPresent(b::bindHost);
        b.deadBrokerProbe(true);
        b.interBrokerListenerName(p.getProperty(INTER_BROKER_LISTENER_NAME, DEFAULT_INTER_BROKER_LISTENER_NAME).trim()
            .toUpperCase(Locale.ROOT));
        return b.build();
    }

    /**
     * The host of this node's controller listener in {@code listeners} (the first one named in
     * {@code controller.listener.names}, default CONTROLLER), as Kafka binds it: empty means every
     * interface. Absent when no controller listener is configured.
     */
    static Optional<String> controllerListenerHost(Properties p) {
        String listeners = p.getProperty(LISTENERS);
        if (listeners == null) {
            return Optional.empty();
        }
        List<String> names = List.of(p.getProperty(CONTROLLER_LISTENER_NAMES, "CONTROLLER").toUpperCase(Locale.ROOT)
            .split("\\s*,\\s*"));
        for (String spec : listeners.split(",")) {
            String s = spec.trim();
            int sep = s.indexOf("://");
            int colon = s.lastIndexOf(':');
            if (sep > 0 && colon > sep && names.contains(s.substring(0, sep).trim().toUpperCase(Locale.ROOT))) {
                String host = s.substring(sep + 3, colon);
                // IPv6 literals are written [::1] in listeners; bind the address itself.
                return Optional.of(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
            }
        }
        return Optional.empty();
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return v.trim();
    }

    private static int intValue(Properties p, String key, Integer dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            if (dflt == null) {
                throw new IllegalArgumentException(key + " is required");
            }
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not an integer", e);
        }
    }

    private static long longValue(Properties p, String key, long dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not an integer", e);
        }
    }

    /** Kafka's boolean: true or false in any case. */
    private static boolean booleanValue(Properties p, String key, boolean dflt) {
        String v = p.getProperty(key);
        if (v == null) {
            return dflt;
        }
        String t = v.trim();
        if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not true or false");
        }
        return Boolean.parseBoolean(t);
    }

    public int nodeId() {
        return nodeId;
    }

    public Set<ProcessRole> processRoles() {
        return processRoles;
    }

    public boolean isVoter() {
        return processRoles.contains(ProcessRole.CONTROLLER);
    }

    public boolean isBroker() {
        return processRoles.contains(ProcessRole.BROKER);
    }

    public List<QuorumVoter> voters() {
        return voters;
    }

    /** This node's voter entry, if it is a voter. */
    public Optional<QuorumVoter> selfVoter() {
        return voters.stream().filter(v -> v.id() == nodeId).findFirst();
    }

    public Path metadataDir() {
        return metadataDir;
    }

    public int brokerSessionTimeoutMs() {
        return brokerSessionTimeoutMs;
    }

    public int brokerHeartbeatIntervalMs() {
        return brokerHeartbeatIntervalMs;
    }

    public int electionTimeoutMs() {
        return electionTimeoutMs;
    }

    /** Timeout of one attempt to reach the quorum leader. */
    public int requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** Bound on the whole submit, retries included; then REQUEST_TIMED_OUT. */
    public int submitTimeoutMs() {
        return submitTimeoutMs;
    }

    public int submitAttemptsMax() {
        return submitAttemptsMax;
    }

    public long snapshotIntervalEntries() {
        return snapshotIntervalEntries;
    }

    public int snapshotRetainCount() {
        return snapshotRetainCount;
    }

    public int fenceCheckIntervalMs() {
        return fenceCheckIntervalMs;
    }

    /**
     * Whether the quorum leader fences a broker whose listener refuses connections (its process is
     * gone) without waiting for the session timeout. On for brokers started from a server.properties,
     * which register only once their listener is bound; off by default for embedded nodes whose
     * registered endpoints nobody serves (tests, benchmarks).
     */
    public boolean deadBrokerProbe() {
        return deadBrokerProbe;
    }

    /** {@code inter.broker.listener.name}: the listener the dead-broker probe knocks on (see {@link DeadBrokerProbe}). */
    public String interBrokerListenerName() {
        return interBrokerListenerName;
    }

    public int followerFetchWaitMs() {
        return followerFetchWaitMs;
    }

    /** Size of a Ratis log segment; only closed segments behind a snapshot are purged. */
    public int logSegmentBytes() {
        return logSegmentBytes;
    }

    /**
     * The address the voter's Ratis server binds: the controller listener's host (as every other
     * listener binds its own), else this voter's host in {@code controller.quorum.voters}; empty
     * binds every interface (Kafka's meaning of a listener without host).
     */
    public String bindHost() {
        if (bindHost != null) {
            return bindHost;
        }
        return selfVoter().map(QuorumVoter::host).orElse("");
    }

    /** {@code auto.leader.rebalance.enable}: whether the quorum leader moves leadership back to preferred replicas. */
    public boolean autoLeaderRebalanceEnable() {
        return autoLeaderRebalanceEnable;
    }

    /** {@code leader.imbalance.check.interval.seconds}: how often the quorum leader looks for imbalance. */
    public long leaderImbalanceCheckIntervalSeconds() {
        return leaderImbalanceCheckIntervalSeconds;
    }

    /** Wall clock the quorum leader stamps on entries; injected so tests can step it. */
    public Clock clock() {
        return clock;
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private int nodeId = -1;
        private Set<ProcessRole> processRoles = EnumSet.of(ProcessRole.BROKER, ProcessRole.CONTROLLER);
        private List<QuorumVoter> voters;
        private Path metadataDir;
        private int brokerSessionTimeoutMs = 9000;
        private int brokerHeartbeatIntervalMs = 2000;
        private int electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS;
        private int requestTimeoutMs = 2000;
        private int submitTimeoutMs = 10_000;
        private int submitAttemptsMax = 20;
        private long snapshotIntervalEntries = 20_000;
        private int snapshotRetainCount = 2;
        private int fenceCheckIntervalMs = 100;
        private boolean deadBrokerProbe;
        private String interBrokerListenerName = DEFAULT_INTER_BROKER_LISTENER_NAME;
        private int followerFetchWaitMs = 500;
        private int logSegmentBytes = 1 << 20;
        private String bindHost;
        private boolean autoLeaderRebalanceEnable = true;
        private long leaderImbalanceCheckIntervalSeconds = 300;
        private Clock clock = Clock.systemUTC();

        public Builder nodeId(int v) {
            nodeId = v;
            return this;
        }

        public Builder processRoles(Set<ProcessRole> v) {
            processRoles = v;
            return this;
        }

        public Builder voters(List<QuorumVoter> v) {
            voters = v;
            return this;
        }

        public Builder voters(String v) {
            voters = QuorumVoter.parseList(v);
            return this;
        }

        public Builder metadataDir(Path v) {
            metadataDir = v;
            return this;
        }

        public Builder brokerSessionTimeoutMs(int v) {
            brokerSessionTimeoutMs = v;
            return this;
        }

        public Builder brokerHeartbeatIntervalMs(int v) {
            brokerHeartbeatIntervalMs = v;
            return this;
        }

        public Builder electionTimeoutMs(int v) {
            electionTimeoutMs = v;
            return this;
        }

        public Builder requestTimeoutMs(int v) {
            requestTimeoutMs = v;
            return this;
        }

        public Builder submitTimeoutMs(int v) {
            submitTimeoutMs = v;
            return this;
        }

        public Builder submitAttemptsMax(int v) {
            submitAttemptsMax = v;
            return this;
        }

        public Builder snapshotIntervalEntries(long v) {
            snapshotIntervalEntries = v;
            return this;
        }

        public Builder snapshotRetainCount(int v) {
            snapshotRetainCount = v;
            return this;
        }

        public Builder interBrokerListenerName(String v) {
            interBrokerListenerName = v;
            return this;
        }

        public Builder deadBrokerProbe(boolean v) {
            deadBrokerProbe = v;
            return this;
        }

        public Builder fenceCheckIntervalMs(int v) {
            fenceCheckIntervalMs = v;
            return this;
        }

        public Builder followerFetchWaitMs(int v) {
            followerFetchWaitMs = v;
            return this;
        }

        public Builder logSegmentBytes(int v) {
            logSegmentBytes = v;
            return this;
        }

        /** See {@link MetadataNodeConfig#bindHost()}; "" binds every interface, null (default) the voter's host. */
        public Builder bindHost(String v) {
            bindHost = v;
            return this;
        }

        public Builder autoLeaderRebalanceEnable(boolean v) {
            autoLeaderRebalanceEnable = v;
            return this;
        }

        public Builder leaderImbalanceCheckIntervalSeconds(long v) {
            leaderImbalanceCheckIntervalSeconds = v;
            return this;
        }

        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public MetadataNodeConfig build() {
            return new MetadataNodeConfig(this);
        }
    }
}
