package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.config.ConfigValidator;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Applies AlterConfigs / IncrementalAlterConfigs for TOPIC and BROKER resources. Stateless. */
final class ConfigCommands {
    private ConfigCommands() {
    }

    static AlterConfigs.Result alterConfigs(ApplyContext ctx, AlterConfigs c) {
        List<AlterConfigs.ResourceError> out = new ArrayList<>(c.resources().size());
        for (AlterConfigs.ResourceChange r : c.resources()) {
            out.add(alterOne(ctx, r, c.incremental(), c.validateOnly()));
        }
        return new AlterConfigs.Result(ErrorCodes.NONE, null, out);
    }

    private static AlterConfigs.ResourceError alterOne(ApplyContext ctx, AlterConfigs.ResourceChange r,
                                                       boolean incremental, boolean validateOnly) {
        boolean topic = r.resourceType() == AlterConfigs.ResourceType.TOPIC;
        Map<String, String> current;
        TopicImage t = null;
        if (topic) {
            t = ctx.image.topic(r.resourceName());
            if (t == null) {
                return error(r, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "Topic " + r.resourceName() + " does not exist");
            }
            current = t.configs();
        } else {
            if (!r.resourceName().isEmpty() && !isBrokerId(r.resourceName())) {
                return error(r, ErrorCodes.INVALID_REQUEST, "Broker resource name must be empty or a broker id: "
                    + r.resourceName());
            }
            current = ctx.image.brokerConfigs().getOrDefault(r.resourceName(), Map.of());
        }
        Map<String, String> next = incremental ? new HashMap<>(current) : new HashMap<>();
        for (AlterConfigs.Op op : r.ops()) {
            if (op.op() == AlterConfigs.OpType.SET) {
                Optional<String> err = topic ? ConfigValidator.validateTopicConfig(op.name(), op.value())
                    : ConfigValidator.validateBrokerConfig(op.name(), op.value());
                if (err.isPresent()) {
                    return error(r, ErrorCodes.INVALID_CONFIG, err.get());
                }
                next.put(op.name(), op.value());
            } else {
                if (!incremental) {
                    return error(r, ErrorCodes.INVALID_REQUEST, "DELETE is only valid in an incremental alter");
                }
                boolean known = topic ? ConfigValidator.isTopicConfig(op.name()) : ConfigValidator.isBrokerConfig(op.name());
                if (!known) {
                    return error(r, ErrorCodes.INVALID_CONFIG, "Unknown " + (topic ? "topic" : "broker")
                        + " config name: " + op.name());
                }
                next.remove(op.name());
            }
        }
        if (!validateOnly && !next.equals(current)) {
            boolean uncleanChanged = !Objects.equals(current.get(LeaderElection.UNCLEAN_CONFIG),
                next.get(LeaderElection.UNCLEAN_CONFIG));
            if (topic) {
                ctx.image.putTopic(t.withConfigs(next));
                if (uncleanChanged) {
                    LeaderElection.onUncleanConfigChanged(ctx, List.of(ctx.image.topic(r.resourceName())));
                }
            } else {
                ctx.image.putBrokerConfigs(r.resourceName(), next);
                // The cluster default ("") is the one broker-level value uncleanEnabled reads.
                if (uncleanChanged && r.resourceName().isEmpty()) {
                    LeaderElection.onUncleanConfigChanged(ctx, List.copyOf(ctx.image.topicsByName().values()));
                }
            }
            ctx.delta.configsChanged();
        }
        return error(r, ErrorCodes.NONE, null);
    }

    private static boolean isBrokerId(String s) {
        try {
            return Integer.parseInt(s) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static AlterConfigs.ResourceError error(AlterConfigs.ResourceChange r, short code, String msg) {
        return new AlterConfigs.ResourceError(r.resourceType(), r.resourceName(), code, msg);
    }
}
