package io.sluice.server.group.share;

import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ShareGroupHeartbeat v1 and ShareGroupDescribe v1, run on the coordinator thread against the
 * group's shard. With share groups off ({@code sluice.share.version=0}) both answer
 * UNSUPPORTED_VERSION, as Kafka does while its share.version feature is 0. Thread-safe.
 */
public final class ShareGroupHandlers {

    /** What a group's ACL operations would be with no authorizer: everything on a group. */
    private static final int GROUP_OPERATIONS = bits(EnumSet.of(AclOperation.READ, AclOperation.DESCRIBE,
            AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS));

    private final GroupCoordinator coordinator;
    /** share.version is at level 1, read at each request (UpdateFeatures changes it). */
    private final BooleanSupplier enabled;

    public ShareGroupHandlers(GroupCoordinator coordinator, BooleanSupplier enabled) {
        this.coordinator = coordinator;
        this.enabled = enabled;
    }

    public final ApiHandler heartbeat = this::heartbeat;
    public final ApiHandler describe = this::describe;

    private CompletionStage<KafkaResponse> heartbeat(KafkaRequest request, ClientInfo client) {
        ShareGroupHeartbeatRequestData req = request.bodyAs(ShareGroupHeartbeatRequestData.class);
        if (!enabled.getAsBoolean()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(new ShareGroupHeartbeatResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setErrorMessage(disabledMessage())));
        }
        String clientId = request.clientId() == null ? "" : request.clientId();
        String host = clientHost(client);
        return coordinator.onShard(req.groupId(),
                        shard -> CompletableFuture.completedFuture(shard.shareGroups().heartbeat(req, clientId, host,
                                shard.groups().get(req.groupId()) != null)),
                        e -> new ShareGroupHeartbeatResponseData().setErrorCode(e.code()).setMemberId(req.memberId()))
                .thenApply(KafkaResponse::of);
    }

    private CompletionStage<KafkaResponse> describe(KafkaRequest request, ClientInfo client) {
        ShareGroupDescribeRequestData req = request.bodyAs(ShareGroupDescribeRequestData.class);
        List<CompletableFuture<DescribedGroup>> parts = new ArrayList<>();
        for (String groupId : req.groupIds()) {
            if (!enabled.getAsBoolean()) {
                parts.add(CompletableFuture.completedFuture(failed(groupId, Errors.UNSUPPORTED_VERSION, disabledMessage())));
                continue;
            }
            parts.add(coordinator.onShard(groupId, shard -> {
                DescribedGroup d = shard.shareGroups().describe(groupId);
                if (d == null) {
                    boolean classic = shard.groups().get(groupId) != null;
                    d = failed(groupId, Errors.GROUP_ID_NOT_FOUND,
                            classic ? "Group " + groupId + " is not a share group." : "Group " + groupId + " not found.");
                } else {
                    d.setAuthorizedOperations(req.includeAuthorizedOperations() ? GROUP_OPERATIONS : Integer.MIN_VALUE);
                }
                return CompletableFuture.completedFuture(d);
            }, e -> failed(groupId, e, null)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            ShareGroupDescribeResponseData resp = new ShareGroupDescribeResponseData();
            for (CompletableFuture<DescribedGroup> f : parts) {
                resp.groups().add(f.join());
            }
            return KafkaResponse.of(resp);
        });
    }

    private static DescribedGroup failed(String groupId, Errors e, String message) {
        return new DescribedGroup().setGroupId(groupId).setErrorCode(e.code()).setErrorMessage(message)
                .setGroupState("Dead").setAssignorName("");
    }

    static String disabledMessage() {
        return "Share groups are not enabled: the share.version feature is 0 (kafka-features upgrade --feature share.version=1)";
    }

    /** Kafka's clientHost: "/" + the peer's address, without the port. */
    static String clientHost(ClientInfo client) {
        String a = client.remoteAddress();
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        int slash = host.indexOf('/');
        return slash >= 0 ? host.substring(slash) : "/" + host;
    }

    private static int bits(EnumSet<AclOperation> ops) {
        int b = 0;
        for (AclOperation op : ops) {
            b |= 1 << op.code();
        }
        return b;
    }
}
