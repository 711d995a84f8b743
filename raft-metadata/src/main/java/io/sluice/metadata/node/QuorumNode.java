package io.sluice.metadata.node;

import io.sluice.metadata.client.BrokerEpochFile;
import io.sluice.metadata.client.BrokerLifecycle;
import io.sluice.metadata.client.MetadataClient;
import io.sluice.metadata.client.MetadataFollower;
import io.sluice.metadata.client.RatisMetadataClient;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.ImagePublisher;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.statemachine.MetadataStateMachine;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link MetadataNode} implementation: a Ratis voter with the {@link MetadataStateMachine} (roles
 * include controller) or a {@link MetadataFollower} (broker only), a {@link RatisMetadataClient},
 * and on voters the liveness tick and the automatic leader rebalance ({@link LeaderRebalancer}), on
 * one ticker thread. Thread-safe.
 */
final class QuorumNode implements MetadataNode {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumNode.class);
    /**
     * Ratis elects after a random wait in [timeout, SPREAD × timeout], Ratis' own ratio. Measured on
     * an idle machine with a 150 ms timeout, SIGKILL of the leader → next command: 2× median 734 ms,
     * 3× median 928 ms (a wider range waits longer for the first candidate than it saves in split votes).
     */
    static final long ELECTION_TIMEOUT_SPREAD = 2;

    private final MetadataNodeConfig config;
    private final RaftGroup group;
    private final ImagePublisher publisher;
    private final RaftServer server;
    private final RatisMetadataClient client;
    private final MetadataFollower follower;
    private final ScheduledExecutorService ticker;
    private final AtomicBoolean fenceInFlight = new AtomicBoolean();
    /** When this node was first seen leading in its current term of office; only the ticker touches it. */
    private long leaderSinceMs = FenceExpiredBrokers.NO_LEADER_SINCE;
    private final DeadBrokerProbe deadBrokerProbe;
    private volatile BrokerLifecycle lifecycle;
    private volatile boolean closed;

    private QuorumNode(MetadataNodeConfig config) throws IOException {
        this.config = config;
        this.deadBrokerProbe = new DeadBrokerProbe(config.interBrokerListenerName());
        Files.createDirectories(config.metadataDir());
        QuorumMetaFile.checkOrWrite(config);
        this.group = QuorumGroup.group(config.voters());
        this.publisher = new ImagePublisher(MetadataImage.empty(QuorumGroup.clusterId(config.voters())));
        RaftServer s = null;
        ScheduledExecutorService t = null;
        MetadataFollower f = null;
        try {
            if (config.isVoter()) {
                s = startServer(config, group, publisher);
                t = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread th = new Thread(r, "metadata-liveness-" + config.nodeId());
                    th.setDaemon(true);
                    return th;
                });
            }
            this.client = new RatisMetadataClient(group, publisher, config.requestTimeoutMs(), config.submitTimeoutMs(),
                config.submitAttemptsMax());
            if (!config.isVoter()) {
                f = new MetadataFollower(group, publisher, config.requestTimeoutMs(), config.followerFetchWaitMs(),
                    config.nodeId());
                f.start();
            }
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            throw e;
        }
        this.server = s;
        this.ticker = t;
        this.follower = f;
        if (ticker != null) {
            ticker.scheduleWithFixedDelay(this::livenessTick, config.fenceCheckIntervalMs(),
                config.fenceCheckIntervalMs(), TimeUnit.MILLISECONDS);
            if (config.autoLeaderRebalanceEnable()) {
                LeaderRebalancer rebalancer = new LeaderRebalancer(client, publisher::image,
                    () -> !closed && isQuorumLeader(), ticker);
                ticker.scheduleWithFixedDelay(rebalancer::tick, config.leaderImbalanceCheckIntervalSeconds(),
                    config.leaderImbalanceCheckIntervalSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    static MetadataNode start(MetadataNodeConfig config) throws IOException {
        return new QuorumNode(config);
    }

    private static RaftServer startServer(MetadataNodeConfig config, RaftGroup group, ImagePublisher publisher)
        throws IOException {
        QuorumVoter self = config.selfVoter().orElseThrow();
        RaftProperties props = new RaftProperties();
        Path ratisDir = config.metadataDir().resolve("ratis");
        RaftServerConfigKeys.setStorageDir(props, List.of(ratisDir.toFile()));
        GrpcConfigKeys.Server.setPort(props, self.port());
        // Bind the configured host only (Ratis binds every interface unless told); the admin and
        // client services share this server's port and address.
        if (!config.bindHost().isEmpty()) {
            GrpcConfigKeys.Server.setHost(props, config.bindHost());
        }
        TimeDuration min = TimeDuration.valueOf(config.electionTimeoutMs(), TimeUnit.MILLISECONDS);
        TimeDuration max = TimeDuration.valueOf(ELECTION_TIMEOUT_SPREAD * config.electionTimeoutMs(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, max);
        // A leader that steps down (e.g. it started slowly and missed its majority's heartbeats) by
        // default sits out elections for 10 s; if it holds the newest entry nobody else can win, so
        // the quorum would be leaderless that long. Measured: 10.6 s failovers. Keep it to one max timeout.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(props, max);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, config.snapshotIntervalEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, config.snapshotRetainCount());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setPurgeGap(props, (int) Math.min(1024, config.snapshotIntervalEntries()));
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(config.logSegmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(props, SizeInBytes.valueOf(config.logSegmentBytes() / 4));
        MetadataStateMachine sm = new MetadataStateMachine(publisher.image().clusterId(), publisher, config.clock(),
            config.brokerSessionTimeoutMs(), config.snapshotRetainCount());
        boolean exists = Files.isDirectory(ratisDir.resolve(group.getGroupId().getUuid().toString()));
        RaftServer server = RaftServer.newBuilder()
            .setServerId(RaftPeerId.valueOf(String.valueOf(config.nodeId())))
            .setGroup(group)
            .setProperties(props)
            .setStateMachine(sm)
            .setOption(exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
            .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("metadata voter {} started on {}:{} ({} voters, storage {})", config.nodeId(),
            config.bindHost().isEmpty() ? "*" : config.bindHost(), self.port(), config.voters().size(),
            exists ? "recovered" : "formatted");
        return server;
    }

    /**
     * Fences, through the same command a broker uses to ask for it (a heartbeat with wantFence, at
     * its registered epoch), each broker whose listener the probe found closed: its process is gone.
     */
    private void fenceDeadBrokers() {
        MetadataImage image = publisher.image();
        for (BrokerRegistration dead : deadBrokerProbe.deadBrokers(image.brokers().values(), config.nodeId())) {
            fenceInFlight.set(true);
            client.submit(new BrokerHeartbeat(dead.brokerId(), dead.brokerEpoch(), image.offset(), true))
                .whenComplete((r, e) -> {
                    fenceInFlight.set(false);
                    if (r != null && r.fenced()) {
                        LOG.warn("fenced broker {}: its listener {} refuses connections (process gone)",
                            dead.brokerId(), deadBrokerProbe.probed(dead).orElse(null));
                    }
                });
        }
    }

    /**
     * On the leader only: if some unfenced broker's last heartbeat (or this leader's start, if
     * later) is older than the session timeout by this machine's clock, submit a fencing tick. Apply re-checks with the stamped
     * leader time, so a tick that finds nothing to fence is harmless.
     */
    private void livenessTick() {
        try {
            if (closed || !isQuorumLeader()) {
                leaderSinceMs = FenceExpiredBrokers.NO_LEADER_SINCE;
                return;
            }
            long now = config.clock().millis();
            if (leaderSinceMs == FenceExpiredBrokers.NO_LEADER_SINCE) {
                leaderSinceMs = now;
                LOG.info("node {} leads the metadata quorum", config.nodeId());
            }
            if (fenceInFlight.get()) {
                return;
            }
            boolean expired = false;
            for (BrokerRegistration b : publisher.image().brokers().values()) {
                if (!b.fenced() && now - Math.max(b.lastHeartbeatMs(), leaderSinceMs) > config.brokerSessionTimeoutMs()) {
                    expired = true;
                    break;
                }
            }
            if (!expired) {
                if (config.deadBrokerProbe()) {
                    fenceDeadBrokers();
                }
                return;
            }
            fenceInFlight.set(true);
            client.submit(new FenceExpiredBrokers(config.brokerSessionTimeoutMs(), leaderSinceMs)).whenComplete((r, e) -> {
                fenceInFlight.set(false);
                if (r != null && !r.fencedBrokers().isEmpty()) {
                    LOG.warn("fenced brokers {} after {} ms without heartbeat", r.fencedBrokers(),
                        config.brokerSessionTimeoutMs());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("liveness tick failed", e);
        }
    }

    @Override
    public MetadataNodeConfig config() {
        return config;
    }

    @Override
    public MetadataClient client() {
        return client;
    }

    /** The concrete client, with raw submit and leader-offset queries (tests, bench). */
    public RatisMetadataClient ratisClient() {
        return client;
    }

    @Override
    public boolean awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline && !closed) {
            long leaderOffset = client.leaderOffset();
            if (leaderOffset >= 0) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    publisher.awaitOffset(leaderOffset).get(Math.max(1, leftMs), TimeUnit.MILLISECONDS);
                    return true;
                } catch (TimeoutException | ExecutionException e) {
                    return false;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Override
    public boolean isQuorumLeader() {
        if (server == null) {
            return false;
        }
        try {
            return server.getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Optional<Integer> quorumLeaderId() {
        if (server != null) {
            try {
                RaftPeerId id = server.getDivision(group.getGroupId()).getInfo().getLeaderId();
                return id == null ? Optional.empty() : Optional.of(Integer.valueOf(id.toString()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(client.leaderId());
    }

    @Override
    public QuorumStatus quorumStatus() {
        if (server == null) {
            // A broker-only node follows the metadata without a vote: it knows the leader, not the term.
            List<QuorumStatus.VoterProgress> voters = config.voters().stream()
                .map(v -> new QuorumStatus.VoterProgress(v, QuorumStatus.UNKNOWN, QuorumStatus.UNKNOWN,
                    QuorumStatus.UNKNOWN)).toList();
            return new QuorumStatus(Optional.ofNullable(client.leaderId()), QuorumStatus.UNKNOWN, QuorumStatus.UNKNOWN,
                false, voters);
        }
        RaftServer.Division division;
        try {
            division = server.getDivision(group.getGroupId());
        } catch (IOException e) {
            throw new IllegalStateException("the metadata quorum's Raft group is not open here", e);
        }
        DivisionInfo info = division.getInfo();
        long term = info.getCurrentTerm();
        RaftPeerId leader = info.getLeaderId();
        boolean leading = info.isLeader();
        long commitIndex = division.getRaftLog().getLastCommittedIndex();
        long lastIndex = division.getRaftLog().getLastEntryTermIndex() == null ? QuorumStatus.UNKNOWN
            : division.getRaftLog().getLastEntryTermIndex().getIndex();
        long now = config.clock().millis();
        Map<Integer, long[]> progress = new HashMap<>(); // voter id -> {match index, last rpc time}
        if (leading) {
            // Both lists follow the leader's log appenders in the same order.
            long[] matchIndices = info.getFollowerMatchIndices();
            List<RaftProtos.ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
            if (matchIndices.length == followers.size()) {
                for (int i = 0; i < followers.size(); i++) {
                    int id = Integer.parseInt(followers.get(i).getId().getId().toStringUtf8());
                    progress.put(id, new long[] {matchIndices[i], now - followers.get(i).getLastRpcElapsedTimeMs()});
                }
            }
        }
        List<QuorumStatus.VoterProgress> voters = new ArrayList<>();
        for (QuorumVoter v : config.voters()) {
            if (v.id() == config.nodeId()) {
                voters.add(new QuorumStatus.VoterProgress(v, lastIndex, now, leading ? now : QuorumStatus.UNKNOWN));
                continue;
            }
            long[] p = progress.get(v.id());
            if (p == null) {
                voters.add(new QuorumStatus.VoterProgress(v, QuorumStatus.UNKNOWN, QuorumStatus.UNKNOWN,
                    QuorumStatus.UNKNOWN));
            } else {
                voters.add(new QuorumStatus.VoterProgress(v, p[0], p[1], p[0] >= lastIndex ? p[1] : QuorumStatus.UNKNOWN));
            }
        }
        Optional<Integer> leaderId = leader == null ? Optional.empty() : Optional.of(Integer.valueOf(leader.toString()));
        return new QuorumStatus(leaderId, term, commitIndex, leading, voters);
    }

    @Override
    public synchronized BrokerLifecycle startBroker(List<Endpoint> endpoints, Optional<String> rack) {
        if (lifecycle != null) {
            throw new IllegalStateException("broker lifecycle of node " + config.nodeId() + " already started");
        }
        if (!config.isBroker()) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        lifecycle = new BrokerLifecycle(client, config.nodeId(), endpoints, rack, config.brokerHeartbeatIntervalMs(),
            BrokerEpochFile.open(config.metadataDir()));
        lifecycle.start();
        return lifecycle;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (lifecycle != null) {
            lifecycle.close();
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (follower != null) {
            follower.close();
        }
        client.close();
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.warn("closing Ratis server {} failed", config.nodeId(), e);
            }
        }
        LOG.info("metadata node {} closed", config.nodeId());
    }
}
