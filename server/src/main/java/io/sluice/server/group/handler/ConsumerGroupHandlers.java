package io.sluice.server.group.handler;

import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.consumer.ConsumerGroupDescriptions;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ConsumerGroupHeartbeat v0-1 and ConsumerGroupDescribe v0-1 (KIP-848): the group's shard runs
 * them on the coordinator thread; ConsumerGroupDescribe asks each group's shard. Both answer
 * UNSUPPORTED_VERSION when {@code group.coordinator.rebalance.protocols} leaves consumer out.
 * Thread-safe.
 */
public final class ConsumerGroupHandlers {

    /** Why both answer UNSUPPORTED_VERSION when the protocol is turned off, as Kafka's KafkaApis does. */
    private static final String DISABLED = "The consumer group protocol is not enabled: "
            + "group.coordinator.rebalance.protocols does not contain consumer.";

    private final GroupCoordinator coordinator;

    public ConsumerGroupHandlers(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    public final ApiHandler heartbeat = this::heartbeat;
    public final ApiHandler describe = this::describe;

    private CompletionStage<KafkaResponse> heartbeat(KafkaRequest request, ClientInfo client) {
        ConsumerGroupHeartbeatRequestData req = request.bodyAs(ConsumerGroupHeartbeatRequestData.class);
        short v = request.apiVersion();
        if (!coordinator.config().consumer().enabled()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(new ConsumerGroupHeartbeatResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(DISABLED)));
        }
        String clientId = request.clientId() == null ? "" : request.clientId();
        String host = MembershipHandlers.clientHost(client);
        return coordinator.onShard(req.groupId(),
                        shard -> CompletableFuture.completedFuture(shard.consumer().heartbeat(req, v, clientId, host)),
                        e -> new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()))
                .thenApply(KafkaResponse::of);
    }

    private CompletionStage<KafkaResponse> describe(KafkaRequest request, ClientInfo client) {
        ConsumerGroupDescribeRequestData req = request.bodyAs(ConsumerGroupDescribeRequestData.class);
        short v = request.apiVersion();
        if (!coordinator.config().consumer().enabled()) {
            ConsumerGroupDescribeResponseData resp = new ConsumerGroupDescribeResponseData();
            req.groupIds().forEach(g -> resp.groups().add(new ConsumerGroupDescribeResponseData.DescribedGroup()
                    .setGroupId(g).setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(DISABLED)));
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        List<CompletableFuture<ConsumerGroupDescribeResponseData.DescribedGroup>> parts = new ArrayList<>();
        for (String groupId : req.groupIds()) {
            parts.add(coordinator.onShard(groupId,
                    shard -> CompletableFuture.completedFuture(
                            ConsumerGroupDescriptions.describe(shard.consumer(), groupId, v)),
                    e -> new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                            .setErrorCode(e.code())));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            ConsumerGroupDescribeResponseData resp = new ConsumerGroupDescribeResponseData();
            parts.forEach(p -> resp.groups().add(p.join()));
            return KafkaResponse.of(resp);
        });
    }
}
