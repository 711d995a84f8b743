package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.config.ConfigValidator;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Applies AlterConfigs / IncrementalAlterConfigs for TOPIC, BROKER and GROUP resources. Stateless. */
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
        if (r.resourceType() == AlterConfigs.ResourceType.GROUP) {
            return alterGroup(ctx, r, incremental, validateOnly);
        }
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
        AlterConfigs.ResourceError failed = applyOps(r, next, incremental);
        if (failed != null) {
            return failed;
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

    /** Group configs: the group need not exist, as in Kafka (they apply when it is created). */
    private static AlterConfigs.ResourceError alterGroup(ApplyContext ctx, AlterConfigs.ResourceChange r,
                                                         boolean incremental, boolean validateOnly) {
        if (r.resourceName().isEmpty()) {
            return error(r, ErrorCodes.INVALID_REQUEST, "Group name must not be empty");
        }
        Map<String, String> current = ctx.image.groupConfigs().getOrDefault(r.resourceName(), Map.of());
        Map<String, String> next = incremental ? new HashMap<>(current) : new HashMap<>();
        AlterConfigs.ResourceError failed = applyOps(r, next, incremental);
        if (failed != null) {
            return failed;
        }
        if (!validateOnly && !next.equals(current)) {
            ctx.image.putGroupConfigs(r.resourceName(), next);
            ctx.delta.configsChanged();
        }
        return error(r, ErrorCodes.NONE, null);
    }

    /** Applies the resource's ops to {@code configs}; the error that stops them, or null. */
    private static AlterConfigs.ResourceError applyOps(AlterConfigs.ResourceChange r, Map<String, String> configs,
                                                       boolean incremental) {
        for (AlterConfigs.Op op : r.ops()) {
            if (op.op() == AlterConfigs.OpType.SET) {
                Optional<String> err = switch (r.resourceType()) {
                    case TOPIC -> ConfigValidator.validateTopicConfig(op.name(), op.value());
                    case BROKER -> ConfigValidator.validateBrokerConfig(op.name(), op.value());
                    case GROUP -> ConfigValidator.validateGroupConfig(op.name(), op.value());
                };
                if (err.isPresent()) {
                    return error(r, ErrorCodes.INVALID_CONFIG, err.get());
                }
                configs.put(op.name(), op.value());
            } else if (!incremental) {
                return error(r, ErrorCodes.INVALID_REQUEST, "DELETE is only valid in an incremental alter");
            } else {
                boolean known = switch (r.resourceType()) {
                    case TOPIC -> ConfigValidator.isTopicConfig(op.name());
                    case BROKER -> ConfigValidator.isBrokerConfig(op.name());
                    case GROUP -> ConfigValidator.isGroupConfig(op.name());
                };
                if (!known) {
                    return error(r, ErrorCodes.INVALID_CONFIG, "Unknown " + r.resourceType().name().toLowerCase(Locale.ROOT)
                        + " config name: " + op.name());
                }
                configs.remove(op.name());
            }
        }
        return null;
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
