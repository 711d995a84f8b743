package io.sluice.metadata.image;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The cluster metadata at one applied offset of the quorum log. Immutable and thread-safe: the
 * state machine replaces the whole image after each applied entry (sharing unchanged parts), so
 * readers hold a reference and never lock. Every lookup the broker makes per Metadata request is a
 * hash lookup or a precomputed list.
 *
 * <p>Built only by {@link ImageBuilder} (the state machine's applier and the snapshot reader).
 */
public final class MetadataImage {
    private final String clusterId;
    private final long offset;
    private final long term;
    private final long leaderTimeMs;
    private final Map<Integer, BrokerRegistration> brokers;
    private final Map<String, TopicImage> topicsByName;
    private final Map<UUID, TopicImage> topicsById;
    private final Map<String, Map<String, String>> brokerConfigs;
    private final long nextProducerId;
    private final Map<String, Short> finalizedFeatures;
    private final List<BrokerRegistration> unfencedBrokers;
    private final Map<ClientQuotaEntity, Map<String, Double>> clientQuotas;
    private final Map<String, Map<String, String>> groupConfigs;

    MetadataImage(String clusterId, long offset, long term, long leaderTimeMs,
                  Map<Integer, BrokerRegistration> brokers, Map<String, TopicImage> topicsByName,
                  Map<UUID, TopicImage> topicsById, Map<String, Map<String, String>> brokerConfigs,
                  long nextProducerId, Map<String, Short> finalizedFeatures,
                  Map<ClientQuotaEntity, Map<String, Double>> clientQuotas,
                  Map<String, Map<String, String>> groupConfigs) {
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.offset = offset;
        this.term = term;
        this.leaderTimeMs = leaderTimeMs;
        this.brokers = Collections.unmodifiableMap(brokers);
        // Sharded maps are immutable already; wrapping would hide their cheap copy-on-write.
        this.topicsByName = ShardedMap.copyOf(topicsByName);
        this.topicsById = ShardedMap.copyOf(topicsById);
        this.brokerConfigs = Collections.unmodifiableMap(brokerConfigs);
        this.nextProducerId = nextProducerId;
        this.finalizedFeatures = Collections.unmodifiableMap(finalizedFeatures);
        List<BrokerRegistration> live = new ArrayList<>();
        for (BrokerRegistration b : brokers.values()) {
            if (!b.fenced()) {
                live.add(b);
            }
        }
        live.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        this.unfencedBrokers = Collections.unmodifiableList(live);
        // Not wrapped again: ImageBuilder hands over the previous image's map untouched, or a new
        // unmodifiable one when a quota changed, so readers can detect a change by identity.
        this.clientQuotas = clientQuotas;
        this.groupConfigs = Collections.unmodifiableMap(groupConfigs);
    }

    /** The empty image of a new cluster. */
    public static MetadataImage empty(String clusterId) {
        return new MetadataImage(clusterId, 0, 0, 0, Map.of(), Map.of(), Map.of(), Map.of(),
            0, Map.of(), Map.of(), Map.of());
    }

    /** Kafka-style cluster id (22 characters of URL-safe base64). */
    public String clusterId() {
        return clusterId;
    }

    /** Raft log index of the last entry applied to this image (0 = nothing applied yet). */
    public long offset() {
        return offset;
    }

    /** Raft term of the last entry applied to this image. */
    public long term() {
        return term;
    }

    /** The quorum leader's clock stamped on the last applied entry; apply's notion of "now". */
    public long leaderTimeMs() {
        return leaderTimeMs;
    }

    /** All registered brokers, fenced or not, by id. */
    public Map<Integer, BrokerRegistration> brokers() {
        return brokers;
    }

    public Optional<BrokerRegistration> broker(int brokerId) {
        return Optional.ofNullable(brokers.get(brokerId));
    }

    /** Registered, unfenced brokers sorted by id: the ones to offer in a Metadata response. */
    public List<BrokerRegistration> unfencedBrokers() {
        return unfencedBrokers;
    }

    public boolean isUnfenced(int brokerId) {
        BrokerRegistration b = brokers.get(brokerId);
        return b != null && !b.fenced();
    }

    /** All topics by name. */
    public Map<String, TopicImage> topicsByName() {
        return topicsByName;
    }

    /** All topics by topic id. */
    public Map<UUID, TopicImage> topicsById() {
        return topicsById;
    }

    public Collection<TopicImage> topics() {
        return topicsByName.values();
    }

    /** The topic, or null. */
    public TopicImage topic(String name) {
        return topicsByName.get(name);
    }

    /** The topic, or null. */
    public TopicImage topic(UUID topicId) {
        return topicsById.get(topicId);
    }

    /** The partition, or null when the topic or partition does not exist. */
    public PartitionImage partition(String topic, int partitionId) {
        TopicImage t = topicsByName.get(topic);
        return t == null ? null : t.partition(partitionId);
    }

    /**
     * Dynamic broker configs set through AlterConfigs: key "" holds cluster-wide defaults, key
     * "&lt;id&gt;" a single broker's (Kafka's BROKER resource names).
     */
    public Map<String, Map<String, String>> brokerConfigs() {
        return brokerConfigs;
    }

    /** The first producer id not yet handed out in a block. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** Finalized feature levels (e.g. {@code metadata.version}). */
    public Map<String, Short> finalizedFeatures() {
        return finalizedFeatures;
    }

    /**
     * Client quotas set through AlterClientQuotas (KIP-546): entity → quota key → value. An entity
     * with no keys left is absent. The map object is the same from image to image until a quota
     * changes, so a reader can tell "unchanged" by identity.
     */
    public Map<ClientQuotaEntity, Map<String, Double>> clientQuotas() {
        return clientQuotas;
    }

    /**
     * Group configs set through IncrementalAlterConfigs on GROUP resources (KIP-848's
     * {@code kafka-configs --entity-type groups}): group id → config name → value. A group with
     * no config left is absent. A config may name a group that does not exist (yet), as in Kafka.
     */
    public Map<String, Map<String, String>> groupConfigs() {
        return groupConfigs;
    }

    /** Total number of partitions over all topics (O(topics)). */
    public int partitionCount() {
        int n = 0;
        for (TopicImage t : topicsByName.values()) {
            n += t.partitionCount();
        }
        return n;
    }

    /** Equality of content, ignoring {@link #offset()}, {@link #term()}. Used by tests. */
    public boolean sameContent(MetadataImage o) {
        return clusterId.equals(o.clusterId) && leaderTimeMs == o.leaderTimeMs && brokers.equals(o.brokers)
            && topicsByName.equals(o.topicsByName) && topicsById.keySet().equals(o.topicsById.keySet())
            && brokerConfigs.equals(o.brokerConfigs) && nextProducerId == o.nextProducerId
            && finalizedFeatures.equals(o.finalizedFeatures) && clientQuotas.equals(o.clientQuotas)
            && groupConfigs.equals(o.groupConfigs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage m && offset == m.offset && term == m.term && sameContent(m);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, offset, term, brokers.keySet(), topicsByName.keySet());
    }

    @Override
    public String toString() {
        return "MetadataImage{cluster=" + clusterId + " offset=" + offset + " term=" + term + " brokers="
            + brokers.size() + " topics=" + topicsByName.size() + " nextProducerId=" + nextProducerId + '}';
    }
}
