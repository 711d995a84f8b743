package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;

/**
 * DescribeTopicPartitions (v0, KIP-966): topics in name order with paging by
 * {@code responsePartitionLimit} and a cursor, as the AdminClient's describeTopics uses it.
 * Sluice has no eligible leader replicas yet: those lists are empty. The request has no flag for
 * authorized operations and Kafka always answers them (measured): all, as there is no authorizer.
 * Thread-safe.
 */
final class DescribeTopicPartitionsHandler implements ApiHandler {

    private final HandlerContext ctx;

    DescribeTopicPartitionsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DescribeTopicPartitionsRequestData req = request.bodyAs(DescribeTopicPartitionsRequestData.class);
        MetadataImage image = ctx.metadata().image();
        List<String> names = new ArrayList<>();
        if (req.topics().isEmpty()) {
            names.addAll(image.topicsByName().keySet());
        } else {
            req.topics().forEach(t -> names.add(t.name()));
        }
        names.sort(null);
        String cursorTopic = req.cursor() != null ? req.cursor().topicName() : null;
        int cursorPartition = req.cursor() != null ? req.cursor().partitionIndex() : 0;
        int budget = Math.max(1, req.responsePartitionLimit());
        DescribeTopicPartitionsResponseData resp = new DescribeTopicPartitionsResponseData();
        for (String name : names) {
            if (cursorTopic != null && name.compareTo(cursorTopic) < 0) {
                continue;
            }
            TopicImage t = image.topic(name);
            if (t == null) {
                resp.topics().add(new DescribeTopicPartitionsResponseTopic().setName(name)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION));
                continue;
            }
            DescribeTopicPartitionsResponseTopic out = new DescribeTopicPartitionsResponseTopic().setName(name)
                    .setErrorCode(Errors.NONE).setTopicId(Uuids.toKafka(t.topicId())).setIsInternal(Topic.isInternal(name))
                    .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
            int start = name.equals(cursorTopic) ? cursorPartition : 0;
            for (int i = start; i < t.partitionCount(); i++) {
                if (budget == 0) {
                    resp.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(name).setPartitionIndex(i));
                    resp.topics().add(out);
                    return CompletableFuture.completedFuture(KafkaResponse.of(resp));
                }
                PartitionImage p = t.partition(i);
                out.partitions().add(new DescribeTopicPartitionsResponsePartition().setPartitionIndex(i)
                        .setErrorCode(p.hasLeader() ? Errors.NONE : Errors.LEADER_NOT_AVAILABLE)
                        .setLeaderId(p.leader()).setLeaderEpoch(p.leaderEpoch())
                        .setReplicaNodes(MetadataHandler.ints(p.replicas())).setIsrNodes(MetadataHandler.ints(p.isr()))
                        .setOfflineReplicas(MetadataHandler.offlineReplicas(image, p, client.listenerName()))
                        .setEligibleLeaderReplicas(List.of()).setLastKnownElr(List.of()));
                budget--;
            }
            resp.topics().add(out);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
