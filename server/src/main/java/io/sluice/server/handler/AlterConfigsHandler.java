package io.sluice.server.handler;

import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.config.DynamicBrokerConfigs;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.cleaner.LogCleanerManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;

/**
 * AlterConfigs (v0-2, replaces a resource's configs) and IncrementalAlterConfigs (v0-1, KIP-339:
 * SET/DELETE per name; APPEND/SUBTRACT answer INVALID_REQUEST) for TOPIC, BROKER and GROUP resources,
 * validated and applied by the metadata quorum; logs pick up new topic configs and dynamic broker
 * log configs when the change is applied here. A broker config Sluice would not apply is refused
 * with INVALID_REQUEST before anything is stored ({@link DynamicBrokerConfigs}), and so is a group
 * config Sluice would not apply ({@link GroupConfigSupport}). Thread-safe.
 */
final class AlterConfigsHandler implements ApiHandler {

    private final HandlerContext ctx;

    AlterConfigsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        return request.apiKey() == ApiVersionsTable.INCREMENTAL_ALTER_CONFIGS
                ? incremental(request.bodyAs(IncrementalAlterConfigsRequestData.class))
                : legacy(request.bodyAs(AlterConfigsRequestData.class));
    }

    private CompletionStage<KafkaResponse> incremental(IncrementalAlterConfigsRequestData req) {
        IncrementalAlterConfigsResponseData resp = new IncrementalAlterConfigsResponseData();
        List<AlterConfigs.ResourceChange> changes = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource r : req.resources()) {
            AlterConfigs.ResourceType type = AlterConfigs.ResourceType.fromId(r.resourceType());
            List<AlterConfigs.Op> ops = new ArrayList<>();
            String problem = type == null ? "Unsupported resource type " + r.resourceType() : null;
            DynamicBrokerConfigs.Refusal refused = null;
            for (IncrementalAlterConfigsRequestData.AlterableConfig c : r.configs()) {
                AlterConfigs.OpType op = AlterConfigs.OpType.fromId(c.configOperation());
                DynamicBrokerConfigs.Refusal refusal = op == AlterConfigs.OpType.SET ? refusal(type, r.resourceName(), c.name(), c.value())
                        : op == AlterConfigs.OpType.DELETE && type == AlterConfigs.ResourceType.BROKER
                        ? cleanerRefusal(r.resourceName(), c.name(), null) : null;
                if (op == null) {
                    problem = "Unsupported config operation " + c.configOperation() + " for " + c.name();
                } else if (refusal != null) {
                    refused = refusal;
                } else {
                    ops.add(new AlterConfigs.Op(c.name(), op, op == AlterConfigs.OpType.DELETE ? null : c.value()));
                }
            }
            if (problem == null && refused == null) {
                refused = crossCheck(type, r.resourceName(), ops, true);
            }
            if (problem != null || refused != null) {
                resp.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(problem != null ? Errors.INVALID_REQUEST : refused.errorCode())
                        .setErrorMessage(problem != null ? problem : refused.message()));
            } else {
                changes.add(new AlterConfigs.ResourceChange(type, r.resourceName(), ops));
            }
        }
        return submit(new AlterConfigs(changes, true, req.validateOnly()), r -> {
            for (AlterConfigs.ResourceError e : r.resources()) {
                resp.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(e.resourceType().id()).setResourceName(e.resourceName())
                        .setErrorCode(e.errorCode()).setErrorMessage(e.errorCode() == Errors.NONE ? null : e.errorMessage()));
            }
            return KafkaResponse.of(resp);
        });
    }

    private CompletionStage<KafkaResponse> legacy(AlterConfigsRequestData req) {
        AlterConfigsResponseData resp = new AlterConfigsResponseData();
        List<AlterConfigs.ResourceChange> changes = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource r : req.resources()) {
            AlterConfigs.ResourceType type = AlterConfigs.ResourceType.fromId(r.resourceType());
            if (type == null) {
                resp.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Unsupported resource type " + r.resourceType()));
                continue;
            }
            List<AlterConfigs.Op> ops = new ArrayList<>();
            DynamicBrokerConfigs.Refusal refused = null;
            for (AlterConfigsRequestData.AlterableConfig c : r.configs()) {
                DynamicBrokerConfigs.Refusal refusal = refusal(type, r.resourceName(), c.name(), c.value());
                refused = refused != null ? refused : refusal;
                ops.add(new AlterConfigs.Op(c.name(), AlterConfigs.OpType.SET, c.value()));
            }
            refused = refused != null ? refused : crossCheck(type, r.resourceName(), ops, false);
            if (refused != null) {
                resp.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(refused.errorCode()).setErrorMessage(refused.message()));
                continue;
            }
            changes.add(new AlterConfigs.ResourceChange(type, r.resourceName(), ops));
        }
        return submit(new AlterConfigs(changes, false, req.validateOnly()), r -> {
            for (AlterConfigs.ResourceError e : r.resources()) {
                resp.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                        .setResourceType(e.resourceType().id()).setResourceName(e.resourceName())
                        .setErrorCode(e.errorCode()).setErrorMessage(e.errorCode() == Errors.NONE ? null : e.errorMessage()));
            }
            return KafkaResponse.of(resp);
        });
    }

    /**
     * Kafka validates a resource's whole config after an alter: for a topic, {@code min.compaction.lag.ms}
     * above {@code max.compaction.lag.ms}; for a group, GroupConfig.validate against this broker's
     * group settings. Both are INVALID_CONFIG. The configs after {@code ops}: the current ones changed
     * by them (incremental), or just them (the legacy alter replaces all).
     */
    private DynamicBrokerConfigs.Refusal crossCheck(AlterConfigs.ResourceType type, String resourceName,
                                                    List<AlterConfigs.Op> ops, boolean incremental) {
        if (type == AlterConfigs.ResourceType.BROKER) {
            return null;
        }
        Map<String, String> after = new HashMap<>();
        if (incremental && type == AlterConfigs.ResourceType.TOPIC) {
            TopicImage current = ctx.metadata().image().topic(resourceName);
            after.putAll(current == null ? Map.of() : current.configs());
        } else if (incremental) {
            after.putAll(ctx.metadata().image().groupConfigs().getOrDefault(resourceName, Map.of()));
        }
        for (AlterConfigs.Op op : ops) {
            if (op.op() == AlterConfigs.OpType.DELETE) {
                after.remove(op.name());
            } else {
                after.put(op.name(), op.value());
            }
        }
        String conflict = type == AlterConfigs.ResourceType.TOPIC ? TopicConfigSupport.conflict(after)
                : GroupConfigSupport.violation(after, ctx.config());
        return conflict == null ? null : new DynamicBrokerConfigs.Refusal(Errors.INVALID_CONFIG, conflict);
    }

    /** Why Sluice would not honour setting {@code name = value} on this resource; null when it would. */
    private DynamicBrokerConfigs.Refusal refusal(AlterConfigs.ResourceType type, String resourceName, String name,
                                                 String value) {
        if (type == AlterConfigs.ResourceType.BROKER) {
            DynamicBrokerConfigs.Refusal refusal = DynamicBrokerConfigs.checkSet(resourceName, name, value);
            return refusal != null ? refusal : cleanerRefusal(resourceName, name, value);
        }
        String refusal = type == AlterConfigs.ResourceType.TOPIC ? TopicConfigSupport.refusal(name, value)
                : type == AlterConfigs.ResourceType.GROUP ? GroupConfigSupport.refusal(name) : null;
        return refusal == null ? null : new DynamicBrokerConfigs.Refusal(Errors.INVALID_CONFIG, refusal);
    }

    /**
     * Kafka's broker validates a reconfiguration of its own log cleaner (this broker's id or the
     * cluster default) against the one running: INVALID_REQUEST when the settings in force after
     * setting {@code name} to {@code value} (null: deleting it, back to the cluster default or
     * server.properties) would take the thread count below 1, or more than halve or double it at once.
     */
    private DynamicBrokerConfigs.Refusal cleanerRefusal(String resourceName, String name, String value) {
        String self = Integer.toString(ctx.nodeId());
        if (!CleanerConfig.RECONFIGURABLE.contains(name) || !(resourceName.isEmpty() || resourceName.equals(self))) {
            return null;
        }
        Map<String, Map<String, String>> dynamic = ctx.metadata().image().brokerConfigs();
        Map<String, String> defaults = new HashMap<>(dynamic.getOrDefault("", Map.of()));
        Map<String, String> own = new HashMap<>(dynamic.getOrDefault(self, Map.of()));
        Map<String, String> altered = resourceName.isEmpty() ? defaults : own;
        if (value == null) {
            altered.remove(name);
        } else {
            altered.put(name, value);
        }
        Map<String, String> inForce = new HashMap<>(defaults);
        inForce.putAll(own);
        LogCleanerManager cleaner = ctx.replicas().logs().cleaner();
        String problem;
        try {
            CleanerConfig next = CleanerConfig.fromBrokerProperties(ctx.config().originals()).overriddenBy(inForce);
            problem = next.equals(cleaner.config()) ? null : cleaner.reconfigurationProblem(next);
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        return problem == null ? null : new DynamicBrokerConfigs.Refusal(Errors.INVALID_REQUEST,
                "Invalid dynamic broker config " + problem);
    }

    private CompletionStage<KafkaResponse> submit(AlterConfigs command,
                                                  Function<AlterConfigs.Result, KafkaResponse> answer) {
        if (command.resources().isEmpty()) {
            return CompletableFuture.completedFuture(answer.apply(new AlterConfigs.Result(Errors.NONE, null, List.of())));
        }
        CompletableFuture<KafkaResponse> done = new CompletableFuture<>();
        ctx.metadata().submit(command).whenComplete((result, e) -> {
            AlterConfigs.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            KafkaResponse resp = answer.apply(r);
            ctx.replicas().afterPendingChanges(() -> done.complete(resp));
        });
        return done;
    }
}
