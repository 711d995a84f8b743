package io.sluice.server.quota;

import io.sluice.metadata.config.ThrottledReplicas;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.replication.Partition;
import io.sluice.replication.quota.ReplicationQuota;
import io.sluice.server.config.DynamicBrokerConfigs;
import io.sluice.storage.TopicPartitionId;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's replication throttles (Kafka's ReplicationQuotaManager pair): the leader side, asked
 * by the Fetch handler for each follower fetch, and the follower side, asked by the replica
 * fetchers. Both follow the metadata image without a restart: the rates are the dynamic broker
 * configs {@code leader.replication.throttled.rate} and {@code follower.replication.throttled.rate}
 * (this broker's own value, else the cluster default, else unthrottled), and the throttled
 * partitions are the entries naming this broker in each topic's {@code leader.replication.throttled.replicas}
 * and {@code follower.replication.throttled.replicas}. Owned by the broker; thread-safe (the quotas
 * are; {@link #onMetadata} runs on the metadata listener thread).
 */
public final class ReplicationThrottles {

    public static final String LEADER_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_RATE = "follower.replication.throttled.rate";

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationThrottles.class);

    private final int nodeId;
    private final ReplicationQuota leader;
    private final ReplicationQuota follower;

    /**
     * @param windowNum         {@code replication.quota.window.num}
     * @param windowSizeSeconds {@code replication.quota.window.size.seconds}
     */
    public ReplicationThrottles(int nodeId, int windowNum, int windowSizeSeconds, Time time) {
        this.nodeId = nodeId;
        this.leader = new ReplicationQuota(ReplicationQuota.Side.LEADER, windowNum, windowSizeSeconds, time);
        this.follower = new ReplicationQuota(ReplicationQuota.Side.FOLLOWER, windowNum, windowSizeSeconds, time);
    }

    public ReplicationQuota leader() {
        return leader;
    }

    public ReplicationQuota follower() {
        return follower;
    }

    /** Applies the rates and replica lists in force in {@code image}. */
    public void onMetadata(MetadataImage image) {
        leader.updateRate(rate(LEADER_RATE, image));
        follower.updateRate(rate(FOLLOWER_RATE, image));
        Map<String, ThrottledReplicas.Partitions> led = new HashMap<>();
        Map<String, ThrottledReplicas.Partitions> followed = new HashMap<>();
        for (TopicImage topic : image.topics()) {
            put(led, topic, ThrottledReplicas.LEADER_CONFIG);
            put(followed, topic, ThrottledReplicas.FOLLOWER_CONFIG);
        }
        leader.setThrottled(led);
        follower.setThrottled(followed);
    }

    /**
     * Kafka's shouldLeaderThrottle: a follower fetch of a throttled partition led here gets no
     * records while the leader quota is exceeded, unless the follower is in the ISR.
     */
    public boolean shouldLeaderThrottle(Partition partition, int replicaId) {
        return leader.shouldThrottleFollowerFetch(partition, replicaId);
    }

    /** Whether bytes of this partition sent to followers count against the leader quota (Kafka records them all). */
    public boolean isLeaderThrottled(TopicPartitionId tp) {
        return leader.isThrottled(tp);
    }

    private long rate(String name, MetadataImage image) {
        return Long.parseLong(DynamicBrokerConfigs.effective(name, DynamicBrokerConfigs.DYNAMIC_ONLY.get(name), nodeId, image)
                .trim());
    }

    private void put(Map<String, ThrottledReplicas.Partitions> into, TopicImage topic, String config) {
        ThrottledReplicas.Partitions p;
        try {
            p = ThrottledReplicas.forBroker(topic.configs().get(config), nodeId);
        } catch (IllegalArgumentException e) {
            // Stored before the quorum validated replica lists; Kafka's config handler fails on it too.
            LOG.warn("Topic {}: {} not applied: {}", topic.name(), config, e.getMessage());
            return;
        }
        if (!p.isEmpty()) {
            into.put(topic.name(), p);
        }
    }
}
