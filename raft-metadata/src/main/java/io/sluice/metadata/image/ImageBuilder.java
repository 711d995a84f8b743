package io.sluice.metadata.image;

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
    private Map<String, TopicImage> topicsByName;
    private Map<UUID, TopicImage> topicsById;
    private Map<String, Map<String, String>> brokerConfigs;
    private long nextProducerId;
    private Map<String, Short> features;
    private boolean brokersCopied;
    private boolean topicsCopied;
    private boolean brokerConfigsCopied;
    private boolean featuresCopied;

    public ImageBuilder(MetadataImage base) {
        this.base = base;
        this.clusterId = base.clusterId();
        this.offset = base.offset();
        this.term = base.term();
        this.leaderTimeMs = base.leaderTimeMs();
        this.brokers = base.brokers();
        this.topicsByName = base.topicsByName();
        this.topicsById = base.topicsById();
        this.brokerConfigs = base.brokerConfigs();
        this.nextProducerId = base.nextProducerId();
        this.features = base.finalizedFeatures();
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

    public Map<String, TopicImage> topicsByName() {
        return topicsByName;
    }

    public ImageBuilder putTopic(TopicImage t) {
        copyTopics();
        TopicImage old = topicsByName.put(t.name(), t);
        if (old != null && !old.topicId().equals(t.topicId())) {
            throw new IllegalStateException("topic " + t.name() + " changed id " + old.topicId() + " -> " + t.topicId());
        }
        topicsById.put(t.topicId(), t);
        return this;
    }

    public ImageBuilder removeTopic(TopicImage t) {
        copyTopics();
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

    public MetadataImage build() {
        return new MetadataImage(clusterId, offset, term, leaderTimeMs, brokers, topicsByName, topicsById,
            brokerConfigs, nextProducerId, features);
    }

    private void copyBrokers() {
        if (!brokersCopied) {
            brokers = new HashMap<>(brokers);
            brokersCopied = true;
        }
    }

    private void copyTopics() {
        if (!topicsCopied) {
            topicsByName = new HashMap<>(topicsByName);
            topicsById = new HashMap<>(topicsById);
            topicsCopied = true;
        }
    }
}
