package io.sluice.metadata.image;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the next {@link MetadataImage} from the previous one, copying a map only when it is first
 * changed (copy-on-write), so applying a heartbeat does not copy 100,000 partitions. Not
 * thread-safe: owned by the applying thread for the duration of one entry.
 */
public final class ImageBuilder {
    private final MetadataImage base;
    private String clusterId;
    private long offset;
    private long term;
    private long leaderTimeMs;
    private Map<Integer, BrokerRegistration> brokers;
    private final ShardedMap.Draft<String, TopicImage> topicsByName;
    private final ShardedMap.Draft<UUID, TopicImage> topicsById;
    private Map<String, Map<String, String>> brokerConfigs;
    private long nextProducerId;
    private Map<String, Short> features;
    private boolean brokersCopied;
    private boolean brokerConfigsCopied;
    private boolean featuresCopied;
    private Map<ClientQuotaEntity, Map<String, Double>> clientQuotas;
    private boolean clientQuotasCopied;
    private Map<String, Map<String, String>> groupConfigs;
    private boolean groupConfigsCopied;

    public ImageBuilder(MetadataImage base) {
        this.base = base;
        this.clusterId = base.clusterId();
        this.offset = base.offset();
        this.term = base.term();
        this.leaderTimeMs = base.leaderTimeMs();
        this.brokers = base.brokers();
        this.topicsByName = new ShardedMap.Draft<>(ShardedMap.copyOf(base.topicsByName()));
        this.topicsById = new ShardedMap.Draft<>(ShardedMap.copyOf(base.topicsById()));
        this.brokerConfigs = base.brokerConfigs();
        this.nextProducerId = base.nextProducerId();
        this.features = base.finalizedFeatures();
        this.clientQuotas = base.clientQuotas();
        this.groupConfigs = base.groupConfigs();
    }

    public MetadataImage base() {
        return base;
    }

    public ImageBuilder clusterId(String id) {
        this.clusterId = id;
        return this;
    }

    public ImageBuilder position(long newOffset, long newTerm) {
        this.offset = newOffset;
        this.term = newTerm;
        return this;
    }

    public ImageBuilder leaderTimeMs(long timeMs) {
        this.leaderTimeMs = timeMs;
        return this;
    }

    public long leaderTimeMs() {
        return leaderTimeMs;
    }

    public BrokerRegistration broker(int id) {
        return brokers.get(id);
    }

    public Map<Integer, BrokerRegistration> brokers() {
        return brokers;
    }

    public ImageBuilder putBroker(BrokerRegistration b) {
        copyBrokers();
        brokers.put(b.brokerId(), b);
        return this;
    }

    public ImageBuilder removeBroker(int id) {
        copyBrokers();
        brokers.remove(id);
        return this;
    }

    public boolean isUnfenced(int brokerId) {
        BrokerRegistration b = brokers.get(brokerId);
        return b != null && !b.fenced();
    }

    public TopicImage topic(String name) {
        return topicsByName.get(name);
    }

    public TopicImage topic(UUID id) {
        return topicsById.get(id);
    }

    /** The topics as changed so far (an immutable snapshot; O(1) when nothing changed). */
    public Map<String, TopicImage> topicsByName() {
        return topicsByName.build();
    }

    public ImageBuilder putTopic(TopicImage t) {
        TopicImage old = topicsByName.get(t.name());
        if (old != null && !old.topicId().equals(t.topicId())) {
            throw new IllegalStateException("topic " + t.name() + " changed id " + old.topicId() + " -> " + t.topicId());
        }
        topicsByName.put(t.name(), t);
        topicsById.put(t.topicId(), t);
        return this;
    }

    public ImageBuilder removeTopic(TopicImage t) {
        topicsByName.remove(t.name());
        topicsById.remove(t.topicId());
        return this;
    }

    public Map<String, Map<String, String>> brokerConfigs() {
        return brokerConfigs;
    }

    public ImageBuilder putBrokerConfigs(String resourceName, Map<String, String> configs) {
        if (!brokerConfigsCopied) {
            brokerConfigs = new HashMap<>(brokerConfigs);
            brokerConfigsCopied = true;
        }
        if (configs.isEmpty()) {
            brokerConfigs.remove(resourceName);
        } else {
            brokerConfigs.put(resourceName, Map.copyOf(configs));
        }
        return this;
    }

    public long nextProducerId() {
        return nextProducerId;
    }

    public ImageBuilder nextProducerId(long next) {
        this.nextProducerId = next;
        return this;
    }

    public Map<String, Short> features() {
        return features;
    }

    public ImageBuilder putFeature(String name, short level) {
        if (!featuresCopied) {
            features = new HashMap<>(features);
            featuresCopied = true;
        }
        if (level == 0) {
            features.remove(name);
        } else {
            features.put(name, level);
        }
        return this;
    }

    public Map<ClientQuotaEntity, Map<String, Double>> clientQuotas() {
        return clientQuotas;
    }

    /** Replaces one entity's quotas; an empty map removes the entity. */
    public ImageBuilder putClientQuotas(ClientQuotaEntity entity, Map<String, Double> quotas) {
        if (!clientQuotasCopied) {
            clientQuotas = new HashMap<>(clientQuotas);
            clientQuotasCopied = true;
        }
        if (quotas.isEmpty()) {
            clientQuotas.remove(entity);
        } else {
            clientQuotas.put(entity, Map.copyOf(quotas));
        }
        return this;
    }

    public Map<String, Map<String, String>> groupConfigs() {
        return groupConfigs;
    }

    /** Replaces one group's configs; an empty map removes the group's entry. */
    public ImageBuilder putGroupConfigs(String groupId, Map<String, String> configs) {
        if (!groupConfigsCopied) {
            groupConfigs = new HashMap<>(groupConfigs);
            groupConfigsCopied = true;
        }
        if (configs.isEmpty()) {
            groupConfigs.remove(groupId);
        } else {
            groupConfigs.put(groupId, Map.copyOf(configs));
        }
        return this;
    }

    public MetadataImage build() {
        return new MetadataImage(clusterId, offset, term, leaderTimeMs, brokers, topicsByName.build(),
            topicsById.build(), brokerConfigs, nextProducerId, features,
            clientQuotasCopied ? Collections.unmodifiableMap(new HashMap<>(clientQuotas)) : clientQuotas,
            groupConfigs);
    }

    private void copyBrokers() {
        if (!brokersCopied) {
            brokers = new HashMap<>(brokers);
            brokersCopied = true;
        }
    }

}
