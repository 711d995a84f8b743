package io.sluice.bench.metadata;

import io.sluice.metadata.client.BrokerLifecycle;
import io.sluice.metadata.client.RatisMetadataClient;
import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.ImagePublisher;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.MetadataListener;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.metadata.node.MetadataNode;
import io.sluice.metadata.node.MetadataNodeConfig;
import io.sluice.metadata.node.ProcessRole;
import io.sluice.metadata.node.QuorumGroup;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The metadata quorum's figures on this machine, with 3 voters as separate JVMs:
 * <ol>
 *   <li>commit latency p50/p99 of a metadata command (AlterConfigs on a topic), one in flight;</li>
 *   <li>time from SIGKILL of the leader's process to the next successful command (median of N);</li>
 *   <li>time from a broker's last heartbeat to its partitions having new leaders, seen by another
 *       broker following the log (median of N, {@code broker.session.timeout.ms} = 9000).</li>
 * </ol>
 * Run: {@code mvn -B -q -pl bench -am package -DskipTests && java -cp "$(cat bench/target/cp.txt):bench/target/classes" ...}
 * — see bench/README.md, "Metadata quorum". Args: [latency|failover|fencing|all] [trials].
 */
public final class MetadataQuorumBench {
    private static final int ELECTION_TIMEOUT_MS = Integer.getInteger("election.timeout.ms",
        MetadataNodeConfig.DEFAULT_ELECTION_TIMEOUT_MS);

    private MetadataQuorumBench() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "all";
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path base = Files.createTempDirectory("sluice-metadata-bench");
        System.out.println("work dir " + base + ", election timeout " + ELECTION_TIMEOUT_MS + " ms");
        try (VoterCluster voters = new VoterCluster(base, 3, ELECTION_TIMEOUT_MS)) {
            voters.startAll();
            ImagePublisher none = new ImagePublisher(MetadataImage.empty("bench"));
            try (RatisMetadataClient raw = new RatisMetadataClient(QuorumGroup.group(voters.voters()), none, 1000,
                10_000, 50);
                 MetadataNode broker101 = broker(base, voters, 101);
                 MetadataNode broker102 = broker(base, voters, 102)) {
                BrokerLifecycle l101 = broker101.startBroker(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 1, (short) 0)),
                    Optional.empty());
                BrokerLifecycle l102 = broker102.startBroker(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 2, (short) 0)),
                    Optional.empty());
                l101.awaitUnfenced().get(60, TimeUnit.SECONDS);
                l102.awaitUnfenced().get(60, TimeUnit.SECONDS);
                var created = broker101.client().submit(new CreateTopics(List.of(CreateTopics.NewTopic.of("bench", 10, 2)),
                    false)).get(30, TimeUnit.SECONDS);
                if (!(created.topics().get(0).errorCode() == 0)) {
                    throw new IllegalStateException("create failed: " + created);
                }
                if (what.equals("all") || what.equals("latency")) {
                    latency(raw, broker101);
                }
                if (what.equals("all") || what.equals("fencing")) {
                    fencing(broker101, broker102, l101, trials);
                }
                if (what.equals("all") || what.equals("failover")) {
                    failover(raw, voters, trials);
                }
            }
        }
    }

    private static MetadataNode broker(Path base, VoterCluster voters, int id) throws Exception {
        return MetadataNode.start(MetadataNodeConfig.builder().nodeId(id).processRoles(EnumSet.of(ProcessRole.BROKER))
            .voters(voters.votersString()).metadataDir(base.resolve("broker-" + id)).build());
    }

    private static byte[] alterConfig(int i) {
        return CommandCodec.encode(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(
            AlterConfigs.ResourceType.TOPIC, "bench", List.of(new AlterConfigs.Op("retention.ms",
                AlterConfigs.OpType.SET, String.valueOf(60_000 + i))))), true, false));
    }

    private static void latency(RatisMetadataClient raw, MetadataNode broker) throws Exception {
        int warmup = 200;
        int measured = Integer.getInteger("latency.commands", 2000);
        Histogram commit = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Histogram visible = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < warmup + measured; i++) {
            long t0 = System.nanoTime();
            var reply = raw.submitBytes(alterConfig(i)).get(30, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            if (reply.failure() != null) {
                throw new IllegalStateException("command failed: " + reply.failure());
            }
            if (i >= warmup) {
                commit.recordValue(t1 - t0);
            }
        }
        System.out.printf("commit latency (3 voters, fsync'd Ratis log, 1 in flight, %d commands): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
            measured, commit.getValueAtPercentile(50) / 1e6, commit.getValueAtPercentile(99) / 1e6, commit.getMaxValue() / 1e6);
        // The same command through a broker's client: committed and applied to the broker's own image.
        for (int i = 0; i < warmup + measured; i++) {
            long t0 = System.nanoTime();
            var r = broker.client().submit(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(
                AlterConfigs.ResourceType.TOPIC, "bench", List.of(new AlterConfigs.Op("retention.ms",
                    AlterConfigs.OpType.SET, String.valueOf(i))))), true, false)).get(30, TimeUnit.SECONDS);
            long t1 = System.nanoTime();
            if (!r.isSuccess()) {
                throw new IllegalStateException("command failed: " + r);
            }
            if (i >= warmup) {
                visible.recordValue(t1 - t0);
            }
            if (i % 200 == 0) {
                System.out.printf("    ... %d: %.1f ms%n", i, (t1 - t0) / 1e6);
            }
        }
        System.out.printf("commit + applied in a following broker's image: p50 %.2f ms, p99 %.2f ms%n",
            visible.getValueAtPercentile(50) / 1e6, visible.getValueAtPercentile(99) / 1e6);
    }

    private static void failover(RatisMetadataClient raw, VoterCluster voters, int trials) throws Exception {
        long[] ms = new long[trials];
        for (int t = 0; t < trials; t++) {
            var ok = raw.submitBytes(alterConfig(t)).get(30, TimeUnit.SECONDS);
            if (ok.failure() != null) {
                throw new IllegalStateException("pre-kill command failed: " + ok.failure());
            }
            int leader = raw.leaderId();
            long killedAtMs = System.currentTimeMillis();
            long t0 = System.nanoTime();
            Process dead = voters.killNoWait(leader);
            long t1;
            int attempts = 0;
            while (true) {
                attempts++;
                var r = raw.submitBytes(alterConfig(1000 + t)).get(30, TimeUnit.SECONDS);
                if (r.failure() == null) {
                    t1 = System.nanoTime();
                    break;
                }
            }
            ms[t] = TimeUnit.NANOSECONDS.toMillis(t1 - t0);
            dead.waitFor(10, TimeUnit.SECONDS);
            System.out.printf("  trial %d (kill at %tT.%<tL): killed leader %d, next command committed after %d ms (%d submits), new leader %d%n",
                t + 1, killedAtMs, leader, ms[t], attempts, raw.leaderId());
            voters.start(leader);
            Thread.sleep(2000); // let the restarted voter catch up before the next kill
        }
        Arrays.sort(ms);
        System.out.printf("SIGKILL leader -> next successful command: median %d ms (min %d, max %d, %d trials)%n",
            ms[trials / 2], ms[0], ms[trials - 1], trials);
    }

    private static void fencing(MetadataNode b101, MetadataNode b102, BrokerLifecycle l101, int trials) throws Exception {
        long[] ms = new long[trials];
        for (int t = 0; t < trials; t++) {
            makeLeaderOfSome(b101, b102, 101);
            MetadataImage before = b102.image();
            TopicImage topic = before.topic("bench");
            Set<Integer> led = new HashSet<>();
            for (PartitionImage p : topic.partitions()) {
                if (p.leader() == 101) {
                    led.add(p.partitionId());
                }
            }
            CompletableFuture<Long> moved = new CompletableFuture<>();
            MetadataListener listener = (img, delta) -> {
                TopicImage ti = img.topic("bench");
                if (ti != null && led.stream().allMatch(p -> ti.partition(p).leader() != 101)) {
                    moved.complete(System.currentTimeMillis());
                }
            };
            l101.pauseHeartbeats(true);
            Thread.sleep(500); // let an in-flight heartbeat land
            long lastHeartbeatMs = b102.image().broker(101).orElseThrow().lastHeartbeatMs();
            b102.client().subscribe(listener);
            long movedAt = moved.get(60, TimeUnit.SECONDS);
            b102.client().unsubscribe(listener);
            ms[t] = movedAt - lastHeartbeatMs;
            System.out.printf("  trial %d: %d partitions led by 101 moved %d ms after its last heartbeat%n",
                t + 1, led.size(), ms[t]);
            l101.pauseHeartbeats(false);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!b102.image().isUnfenced(101) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        }
        Arrays.sort(ms);
        System.out.printf("last heartbeat -> partitions have new leaders (broker.session.timeout.ms=9000): median %d ms (min %d, max %d)%n",
            ms[trials / 2], ms[0], ms[trials - 1]);
    }

    /** Re-adds {@code broker} to ISRs (as replication would) and runs a preferred election. */
    private static void makeLeaderOfSome(MetadataNode b101, MetadataNode b102, int broker) throws Exception {
        for (int round = 0; round < 2; round++) {
            MetadataImage img = b102.image();
            TopicImage t = img.topic("bench");
            Map<Integer, List<AlterPartition.IsrChange>> byLeader = new HashMap<>();
            for (PartitionImage p : t.partitions()) {
                if (p.isReplica(broker) && !p.inIsr(broker) && p.hasLeader()) {
                    int[] isr = Arrays.copyOf(p.isr(), p.isrSize() + 1);
                    isr[isr.length - 1] = broker;
                    byLeader.computeIfAbsent(p.leader(), k -> new ArrayList<>()).add(new AlterPartition.IsrChange(
                        t.topicId(), p.partitionId(), p.leaderEpoch(), p.partitionEpoch(), isr));
                }
            }
            for (var e : byLeader.entrySet()) {
                long epoch = img.broker(e.getKey()).orElseThrow().brokerEpoch();
                b102.client().submit(new AlterPartition(e.getKey(), epoch, e.getValue())).get(30, TimeUnit.SECONDS);
            }
        }
        b102.client().submit(new ElectLeaders(ElectLeaders.ElectionType.PREFERRED, true, List.of()))
            .get(30, TimeUnit.SECONDS);
        if (b102.image().topic("bench").partitions().stream().noneMatch(p -> p.leader() == broker)) {
            throw new IllegalStateException("broker " + broker + " leads nothing: " + b102.image().topic("bench").partitions());
        }
    }
}
