package io.sluice.server.tools.status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Gathers a {@link ClusterStatus}: every Admin call and every scrape is bounded by the timeout, and
 * a part that cannot be read is named in {@code unread} instead of failing the whole view. Each
 * broker's metrics endpoint is found from its own {@code sluice.metrics.listener}, as DescribeConfigs
 * reports it (a wildcard or loopback host is replaced by the broker's advertised host). One use;
 * not thread-safe.
 */
final class StatusCollector {

    static final String METRICS_LISTENER = "sluice.metrics.listener";

    private final Admin admin;
    private final Duration timeout;
    private final int groupsMax;
    private final Clock clock;
    private final HttpClient http;
    private final List<String> unread = new ArrayList<>();

    StatusCollector(Admin admin, Duration timeout, int groupsMax, Clock clock) {
        this.admin = admin;
        this.timeout = timeout;
        this.groupsMax = groupsMax;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    ClusterStatus collect(int topTopics) throws Exception {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true));
        String clusterId = get(cluster.clusterId());
        int controller = get(cluster.controller()).id();
        Collection<Node> nodes = get(cluster.nodes());
        List<ClusterStatus.Broker> brokers = brokers(nodes);
        Map<Integer, MetricSamples> scrapes = scrapes(brokers);
        return new ClusterStatus(clusterId, controller, brokers, quorum(), partitions(), logDirs(scrapes),
                topTopics(scrapes, topTopics), groups(scrapes), List.copyOf(unread));
    }

    private List<ClusterStatus.Broker> brokers(Collection<Node> nodes) throws Exception {
        List<ConfigResource> resources = nodes.stream().filter(n -> !n.isFenced())
                .map(n -> new ConfigResource(ConfigResource.Type.BROKER, n.idString())).toList();
        // One future per broker: a broker that does not answer leaves only its own endpoint unknown.
        Map<ConfigResource, KafkaFuture<Config>> configs = resources.isEmpty() ? Map.of()
                : admin.describeConfigs(resources).values();
        List<ClusterStatus.Broker> out = new ArrayList<>();
        for (Node n : nodes.stream().sorted(Comparator.comparingInt(Node::id)).toList()) {
            KafkaFuture<Config> config = configs.get(new ConfigResource(ConfigResource.Type.BROKER, n.idString()));
            Config c = config == null ? null : getOr(config, null, "config of broker " + n.id() + " (its metrics endpoint)");
            ConfigEntry listener = c == null ? null : c.get(METRICS_LISTENER);
            out.add(new ClusterStatus.Broker(n.id(), n.host() + ":" + n.port(), n.rack(), n.isFenced(),
                    listener == null ? null : metricsUrl(listener.value(), n.host())));
        }
        return out;
    }

    /** The scrape URL of a broker whose endpoint is {@code listener}; null when it has none. */
    static String metricsUrl(String listener, String advertisedHost) {
        if (listener == null || listener.isBlank()) {
            return null;
        }
        URI uri = URI.create(listener.trim());
        String host = uri.getHost();
        if (host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost")
                || host.startsWith("127.")) {
            host = advertisedHost;
        }
        return "http://" + host + ":" + uri.getPort() + "/metrics";
    }

    private Map<Integer, MetricSamples> scrapes(List<ClusterStatus.Broker> brokers) {
        Map<Integer, MetricSamples> out = new TreeMap<>();
        for (ClusterStatus.Broker b : brokers) {
            if (b.metricsUrl() == null) {
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.metricsUrl())).timeout(timeout)
                        .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    out.put(b.id(), MetricSamples.parse(r.body()));
                } else {
                    unread.add("metrics of broker " + b.id() + " (" + b.metricsUrl() + "): HTTP " + r.statusCode());
                }
            } catch (Exception e) {
                unread.add("metrics of broker " + b.id() + " (" + b.metricsUrl() + "): " + e);
            }
        }
        return out;
    }

    private ClusterStatus.Quorum quorum() throws Exception {
        QuorumInfo q = getOr(admin.describeMetadataQuorum().quorumInfo(), null, "metadata quorum");
        if (q == null) {
            return null;
        }
        long now = clock.millis();
        List<ClusterStatus.Voter> voters = q.voters().stream().sorted(Comparator.comparingInt(QuorumInfo.ReplicaState::replicaId))
                .map(v -> new ClusterStatus.Voter(v.replicaId(), v.logEndOffset(),
                        v.logEndOffset() < 0 ? -1 : Math.max(0, q.highWatermark() - v.logEndOffset()),
                        v.lastCaughtUpTimestamp().isPresent() ? Math.max(0, now - v.lastCaughtUpTimestamp().getAsLong()) : -1))
                .toList();
        return new ClusterStatus.Quorum(q.leaderId(), q.leaderEpoch(), q.highWatermark(), voters);
    }

    private ClusterStatus.Partitions partitions() throws Exception {
        var names = getOr(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(), null, "topics");
        if (names == null || names.isEmpty()) {
            return new ClusterStatus.Partitions(0, List.of(), List.of(), List.of());
        }
        Map<String, TopicDescription> topics = getOr(admin.describeTopics(names).allTopicNames(), Map.of(), "topics");
        Map<String, Integer> minIsr = minInsyncReplicas(topics.keySet());
        int total = 0;
        List<String> under = new ArrayList<>();
        List<String> underMin = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        for (TopicDescription t : new TreeMap<>(topics).values()) {
            for (TopicPartitionInfo p : t.partitions()) {
                total++;
                String name = t.name() + "-" + p.partition();
                if (p.leader() == null) {
                    offline.add(name);
                }
                if (p.isr().size() < p.replicas().size()) {
                    under.add(name);
                }
                if (p.isr().size() < minIsr.getOrDefault(t.name(), 1)) {
                    underMin.add(name);
                }
            }
        }
        return new ClusterStatus.Partitions(total, under, underMin, offline);
    }

    private Map<String, Integer> minInsyncReplicas(Collection<String> topics) throws Exception {
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = getOr(admin.describeConfigs(resources).all(), Map.of(), "topic configs");
        Map<String, Integer> out = new HashMap<>();
        configs.forEach((r, c) -> {
            ConfigEntry e = c.get("min.insync.replicas");
            if (e != null && e.value() != null) {
                out.put(r.name(), Integer.parseInt(e.value()));
            }
        });
        return out;
    }

    private static List<ClusterStatus.LogDir> logDirs(Map<Integer, MetricSamples> scrapes) {
        List<ClusterStatus.LogDir> out = new ArrayList<>();
        scrapes.forEach((broker, samples) -> samples.named("sluice_log_dir_online").forEach(s ->
                out.add(new ClusterStatus.LogDir(broker, s.labels().get("dir"), s.value() > 0))));
        return out;
    }

    private static List<ClusterStatus.TopicTraffic> topTopics(Map<Integer, MetricSamples> scrapes, int top) {
        Map<String, double[]> byTopic = new TreeMap<>();
        for (MetricSamples samples : scrapes.values()) {
            samples.named("sluice_topic_bytes_in_total").forEach(s ->
                    byTopic.computeIfAbsent(s.labels().get("topic"), t -> new double[2])[0] += s.value());
            samples.named("sluice_topic_bytes_out_total").forEach(s ->
                    byTopic.computeIfAbsent(s.labels().get("topic"), t -> new double[2])[1] += s.value());
        }
        return byTopic.entrySet().stream()
                .map(e -> new ClusterStatus.TopicTraffic(e.getKey(), e.getValue()[0], e.getValue()[1]))
                .sorted(Comparator.comparingDouble(ClusterStatus.TopicTraffic::bytesIn).reversed()).limit(top).toList();
    }

    private List<ClusterStatus.Group> groups(Map<Integer, MetricSamples> scrapes) throws Exception {
        Collection<GroupListing> listed = getOr(admin.listGroups().all(), List.of(), "groups");
        Map<String, String> verdicts = new HashMap<>();
        for (MetricSamples samples : scrapes.values()) {
            samples.named("sluice_group_lag_status").stream().filter(s -> s.value() > 0)
                    .forEach(s -> verdicts.put(s.labels().get("group"), s.labels().get("status")));
        }
        List<ClusterStatus.Group> out = new ArrayList<>();
        for (GroupListing g : listed.stream().sorted(Comparator.comparing(GroupListing::groupId)).limit(groupsMax).toList()) {
            out.add(new ClusterStatus.Group(g.groupId(), g.type().map(Object::toString).orElse("?"),
                    g.groupState().map(Object::toString).orElse("?"), lag(g.groupId()), verdicts.get(g.groupId())));
        }
        if (listed.size() > groupsMax) {
            unread.add((listed.size() - groupsMax) + " more groups (--groups-max " + groupsMax + ")");
        }
        return out;
    }

    /** Records between each committed offset and its partition's end, summed; -1 when unreadable. */
    private long lag(String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = getOr(
                admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), null, "offsets of group " + groupId);
        if (committed == null) {
            return -1;
        }
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        if (latest.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = getOr(admin.listOffsets(latest).all(), null,
                "end offsets for group " + groupId);
        if (ends == null) {
            return -1;
        }
        long lag = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            if (e.getValue() != null && ends.containsKey(e.getKey())) {
                lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
            }
        }
        return lag;
    }

    private <T> T get(KafkaFuture<T> f) throws Exception {
        return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T getOr(KafkaFuture<T> f, T fallback, String what) throws InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            unread.add(what + ": " + (e.getCause() != null ? e.getCause() : e));
            return fallback;
        }
    }
}
