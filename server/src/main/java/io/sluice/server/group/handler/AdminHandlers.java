package io.sluice.server.group.handler;

import io.sluice.server.group.GroupCoordinator;
import io.sluice.server.handler.ApiHandler;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListGroups v0-5 (v4 state filter, v5 type filter), DescribeGroups v0-6 and DeleteGroups v0-3
 * (v3 carries a message with each group's error).
 * Each group of a batch is answered by its own coordinator shard. Thread-safe.
 */
public final class AdminHandlers {

    private final GroupCoordinator coordinator;

    public AdminHandlers(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    public final ApiHandler listGroups = this::list;
    public final ApiHandler describeGroups = this::describe;
    public final ApiHandler deleteGroups = this::delete;

    private CompletionStage<KafkaResponse> list(KafkaRequest request, ClientInfo client) {
        ListGroupsRequestData req = request.bodyAs(ListGroupsRequestData.class);
        short v = request.apiVersion();
        Set<String> states = lower(v >= 4 ? req.statesFilter() : List.of());
        Set<String> types = lower(v >= 5 ? req.typesFilter() : List.of());
        return coordinator.onAllShards(shard -> shard.list(states, types)).thenApply(lists -> {
            ListGroupsResponseData resp = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
            for (List<ListGroupsResponseData.ListedGroup> l : lists) {
                for (ListGroupsResponseData.ListedGroup g : l) {
                    if (v < 4) {
                        g.setGroupState("");
                    }
                    if (v < 5) {
                        g.setGroupType("");
                    }
                    resp.groups().add(g);
                }
            }
            return KafkaResponse.of(resp);
        }).exceptionally(e -> KafkaResponse.of(new ListGroupsResponseData()
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())));
    }

    private static Set<String> lower(List<String> in) {
        Set<String> out = new HashSet<>();
        for (String s : in) {
            out.add(s.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private CompletionStage<KafkaResponse> describe(KafkaRequest request, ClientInfo client) {
        DescribeGroupsRequestData req = request.bodyAs(DescribeGroupsRequestData.class);
        short v = request.apiVersion();
        List<CompletableFuture<DescribeGroupsResponseData.DescribedGroup>> parts = new ArrayList<>();
        for (String groupId : req.groups()) {
            parts.add(coordinator.onShard(groupId,
                    shard -> CompletableFuture.completedFuture(shard.describe(groupId, v)),
                    e -> new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(e.code())
                            .setGroupState("").setProtocolType("").setProtocolData("")));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            DescribeGroupsResponseData resp = new DescribeGroupsResponseData();
            parts.forEach(p -> resp.groups().add(p.join()));
            return KafkaResponse.of(resp);
        });
    }

    private CompletionStage<KafkaResponse> delete(KafkaRequest request, ClientInfo client) {
        DeleteGroupsRequestData req = request.bodyAs(DeleteGroupsRequestData.class);
        List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> parts = new ArrayList<>();
        for (String groupId : req.groupsNames()) {
            parts.add(coordinator.onShard(groupId,
                    shard -> CompletableFuture.completedFuture(deleted(groupId, shard.deleteGroup(groupId))),
                    e -> deleted(groupId, e)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(x -> {
            DeleteGroupsResponseData resp = new DeleteGroupsResponseData();
            parts.forEach(p -> resp.results().add(p.join()));
            return KafkaResponse.of(resp);
        });
    }

    /** The message field is ignorable: versions before 3 leave it out. */
    private static DeleteGroupsResponseData.DeletableGroupResult deleted(String groupId, Errors error) {
        return new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code())
                .setErrorMessage(error == Errors.NONE ? null : error.message());
    }
}
