package io.sluice.server.handler;

import io.sluice.metadata.client.MetadataClient;
import io.sluice.server.config.ServerConfig;
import io.sluice.server.config.ServerConfigDef;
import io.sluice.server.metrics.TopicMetrics;
import io.sluice.server.quota.BrokerQuotas;
import io.sluice.replication.ReplicaManager;
import java.time.Clock;

/**
 * What request handlers share: config, the metadata quorum client, the partitions led here,
 * the broker's identity, its per-topic metrics and its client quotas. Built once by the broker; immutable and thread-safe.
 */
public record HandlerContext(ServerConfig config, MetadataClient metadata, ReplicaManager replicas,
                             int nodeId, Clock clock,
                             TopicConfigs topicConfigs, ProducerIdManager producerIds, TopicMetrics topicMetrics,
                             BrokerQuotas quotas) {

    public int messageMaxBytes() {
        return config.getInt(ServerConfigDef.MESSAGE_MAX_BYTES);
    }
}
