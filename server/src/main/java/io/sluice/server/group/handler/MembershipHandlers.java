package io.sluice.server.group.handler;

import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.group.GroupShard;
import io.sluice.server.group.consumer.ClassicProtocolMembers;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * JoinGroup v0-9, SyncGroup v0-5, Heartbeat v0-4 and LeaveGroup v0-5: version differences are
 * settled here (v0 rebalance timeout, v4+ member id required, v9 skip assignment, v0-2 single
 * leave), the protocol itself runs on the coordinator thread. Thread-safe.
 */
public final class MembershipHandlers {

    private final GroupCoordinator coordinator;

    public MembershipHandlers(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Kafka's clientHost: "/" + the peer's address, without the port. */
    static String clientHost(ClientInfo client) {
        String a = client.remoteAddress();
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        int slash = host.indexOf('/');
        return slash >= 0 ? host.substring(slash) : "/" + host;
    }

    public final ApiHandler joinGroup = this::join;
    public final ApiHandler syncGroup = this::sync;
    public final ApiHandler heartbeat = this::heartbeat;
    public final ApiHandler leaveGroup = this::leave;

    private CompletionStage<KafkaResponse> join(KafkaRequest request, ClientInfo client) {
        JoinGroupRequestData req = request.bodyAs(JoinGroupRequestData.class);
        short v = request.apiVersion();
        if (v == 0) {
            req.setRebalanceTimeoutMs(req.sessionTimeoutMs());
        }
        String clientId = request.clientId() == null ? "" : request.clientId();
        String host = clientHost(client);
        return coordinator.onShard(req.groupId(), shard -> join(shard, req, clientId, host, v),
                        e -> joinError(req, e))
                .thenApply(r -> KafkaResponse.of(forVersion(r, v)));
    }

    /**
     * A share group's id is refused as Kafka does; a consumer group with members takes the join as a
     * classic-protocol member (KIP-848 migration); an empty consumer group is deleted first, so the
     * join makes a classic group (Kafka's rule).
     */
    private static CompletableFuture<JoinGroupResponseData> join(GroupShard shard, JoinGroupRequestData req,
                                                                 String clientId, String host, short v) {
        String id = req.groupId();
        if (shard.shareGroups().contains(id)) {
            return CompletableFuture.completedFuture(joinError(req, Errors.INCONSISTENT_GROUP_PROTOCOL));
        }
        ClassicProtocolMembers classicMembers = shard.consumer().classicMembers();
        if (classicMembers.serves(id)) {
            return CompletableFuture.completedFuture(classicMembers.join(req, clientId, host, v >= 4));
        }
        if (shard.consumer().isConsumerGroup(id)) {
            Errors dropped = shard.consumer().dropEmptyForClassicJoin(id);
            if (dropped != Errors.NONE) {
                return CompletableFuture.completedFuture(joinError(req, dropped));
            }
        }
        return shard.classic().join(req, clientId, host, v >= 4, v >= 9);
    }

    private static JoinGroupResponseData joinError(JoinGroupRequestData req, Errors e) {
        return new JoinGroupResponseData().setErrorCode(e.code()).setMemberId(req.memberId())
                .setGenerationId(-1).setLeader("").setProtocolName("");
    }

    private static JoinGroupResponseData forVersion(JoinGroupResponseData r, short v) {
        if (v < 7) {
            r.setProtocolType(null);
            if (r.protocolName() == null) {
                r.setProtocolName("");
            }
        }
        if (v < 9) {
            r.setSkipAssignment(false);
        }
        if (v < 5) {
            r.members().forEach(m -> m.setGroupInstanceId(null));
        }
        if (r.leader() == null) {
            r.setLeader("");
        }
        return r;
    }

    private CompletionStage<KafkaResponse> sync(KafkaRequest request, ClientInfo client) {
        SyncGroupRequestData req = request.bodyAs(SyncGroupRequestData.class);
        short v = request.apiVersion();
        return coordinator.onShard(req.groupId(), shard -> shard.consumer().classicMembers().serves(req.groupId())
                                ? CompletableFuture.completedFuture(shard.consumer().classicMembers().sync(req))
                                : shard.classic().sync(req),
                        e -> new SyncGroupResponseData().setErrorCode(e.code()).setAssignment(new byte[0]))
                .thenApply(r -> {
                    if (v < 5) {
                        r.setProtocolType(null).setProtocolName(null);
                    }
                    return KafkaResponse.of(r);
                });
    }

    private CompletionStage<KafkaResponse> heartbeat(KafkaRequest request, ClientInfo client) {
        HeartbeatRequestData req = request.bodyAs(HeartbeatRequestData.class);
        return coordinator.onShard(req.groupId(),
                        shard -> CompletableFuture.completedFuture(shard.consumer().classicMembers().serves(req.groupId())
                                ? shard.consumer().classicMembers().heartbeat(req) : shard.membership().heartbeat(req)),
                        e -> new HeartbeatResponseData().setErrorCode(e.code()))
                .thenApply(KafkaResponse::of);
    }

    private CompletionStage<KafkaResponse> leave(KafkaRequest request, ClientInfo client) {
        LeaveGroupRequestData req = request.bodyAs(LeaveGroupRequestData.class);
        short v = request.apiVersion();
        List<LeaveGroupRequestData.MemberIdentity> members = v >= 3 ? req.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(req.memberId()));
        return coordinator.onShard(req.groupId(),
                        shard -> CompletableFuture.completedFuture(shard.consumer().classicMembers().serves(req.groupId())
                                ? shard.consumer().classicMembers().leave(req.groupId(), members)
                                : shard.membership().leave(req.groupId(), members)),
                        e -> new LeaveGroupResponseData().setErrorCode(e.code()))
                .thenApply(r -> {
                    if (v >= 3) {
                        return KafkaResponse.of(r);
                    }
                    // v0-2: one member, its error is the top-level error.
                    short err = r.errorCode() != Errors.NONE.code() || r.members().isEmpty() ? r.errorCode()
                            : r.members().get(0).errorCode();
                    return KafkaResponse.of(new LeaveGroupResponseData().setErrorCode(err));
                });
    }
}
