package io.sluice.metadata.node;

import io.sluice.metadata.client.BrokerLifecycle;
import io.sluice.metadata.image.Endpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real in-process metadata cluster for tests: voters (controller only) and brokers (broker only,
 * following the log), each a {@link MetadataNode} on free ports and its own directory.
 * {@code aCluster(dir).voters(3).brokers(2).start()}. Closes everything in {@link #close()}.
 */
final class TestCluster implements AutoCloseable {
    private final Path dir;
    private int voterCount = 3;
    private final List<Integer> brokerIds = new ArrayList<>();
    private Consumer<MetadataNodeConfig.Builder> tuning = b -> { };
    private String voters;
    private final Map<Integer, MetadataNode> nodes = new LinkedHashMap<>();
    private final Map<Integer, BrokerLifecycle> lifecycles = new LinkedHashMap<>();

    private TestCluster(Path dir) {
        this.dir = dir;
    }

    static TestCluster aCluster(Path dir) {
        return new TestCluster(dir);
    }

    TestCluster voters(int n) {
        voterCount = n;
        return this;
    }

    TestCluster brokers(int... ids) {
        for (int id : ids) {
            brokerIds.add(id);
        }
        return this;
    }

    TestCluster tuning(Consumer<MetadataNodeConfig.Builder> t) {
        tuning = t;
        return this;
    }

    TestCluster start() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= voterCount; i++) {
            sb.append(i > 1 ? "," : "").append(i).append("@127.0.0.1:").append(TestPorts.freePort());
        }
        voters = sb.toString();
        for (int i = 1; i <= voterCount; i++) {
            startNode(i);
        }
        for (int id : brokerIds) {
            startNode(id);
        }
        return this;
    }

    MetadataNodeConfig config(int id) {
        boolean voter = id <= voterCount;
        MetadataNodeConfig.Builder b = MetadataNodeConfig.builder()
            .nodeId(id)
            .processRoles(voter ? EnumSet.of(ProcessRole.CONTROLLER) : EnumSet.of(ProcessRole.BROKER))
            .voters(voters)
            .metadataDir(dir.resolve("node-" + id))
            .electionTimeoutMs(300)
            .requestTimeoutMs(1000)
            .submitTimeoutMs(8000)
            .brokerSessionTimeoutMs(2000)
            .brokerHeartbeatIntervalMs(300);
        tuning.accept(b);
        return b.build();
    }

    MetadataNode startNode(int id) throws Exception {
        MetadataNode node = MetadataNode.start(config(id));
        nodes.put(id, node);
        if (brokerIds.contains(id)) {
            lifecycles.put(id, node.startBroker(List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 19000 + id, (short) 0)),
                Optional.empty()));
        }
        return node;
    }

    void stopNode(int id) {
        MetadataNode n = nodes.remove(id);
        lifecycles.remove(id);
        if (n != null) {
            n.close();
        }
    }

    MetadataNode node(int id) {
        return nodes.get(id);
    }

    BrokerLifecycle lifecycle(int id) {
        return lifecycles.get(id);
    }

    /** Waits until some running voter is leader and returns its id. */
    int awaitLeader(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (Map.Entry<Integer, MetadataNode> e : nodes.entrySet()) {
                if (e.getValue().isQuorumLeader()) {
                    return e.getKey();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no quorum leader within " + timeoutMs + " ms");
    }

    void awaitBrokersUnfenced(long timeoutMs) throws Exception {
        for (BrokerLifecycle l : lifecycles.values()) {
            l.awaitUnfenced().get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    List<Integer> voterIds() {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= voterCount; i++) {
            out.add(i);
        }
        return out;
    }

    @Override
    public void close() {
        for (Integer id : new ArrayList<>(nodes.keySet())) {
            stopNode(id);
        }
    }
}
