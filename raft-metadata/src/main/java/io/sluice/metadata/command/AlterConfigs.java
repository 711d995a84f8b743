package io.sluice.metadata.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Changes topic or broker configs. With {@code incremental} (IncrementalAlterConfigs, KIP-339)
 * each op sets or deletes one name; without it (legacy AlterConfigs) the resource's configs are
 * replaced by the SET ops. Names and values are validated against Kafka's definitions
 * ({@link io.sluice.metadata.config.ConfigValidator}); an unknown name or bad value fails the
 * resource with INVALID_CONFIG and changes nothing for it.
 */
public record AlterConfigs(List<ResourceChange> resources, boolean incremental, boolean validateOnly)
    implements MetadataCommand<AlterConfigs.Result> {

    public AlterConfigs {
        resources = List.copyOf(resources);
    }

    @Override
    public CommandType type() {
        return CommandType.ALTER_CONFIGS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<ResourceError> out = new ArrayList<>();
        resources.forEach(r -> out.add(new ResourceError(r.resourceType(), r.resourceName(), errorCode, message)));
        return new Result(errorCode, message, out);
    }

    /** Kafka's ConfigResource.Type ids. */
    public enum ResourceType {
        TOPIC((byte) 2), BROKER((byte) 4), GROUP((byte) 32);

        private final byte id;

        ResourceType(byte id) {
            this.id = id;
        }

        public byte id() {
            return id;
        }

        /** The type for Kafka's id, or null. */
        public static ResourceType fromId(byte id) {
            for (ResourceType t : values()) {
                if (t.id == id) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Kafka's AlterConfigOp.OpType ids (APPEND/SUBTRACT for list configs are not supported). */
    public enum OpType {
        SET((byte) 0), DELETE((byte) 1);

        private final byte id;

        OpType(byte id) {
            this.id = id;
        }

        public byte id() {
            return id;
        }

        public static OpType fromId(byte id) {
            for (OpType t : values()) {
                if (t.id == id) {
                    return t;
                }
            }
            return null;
        }
    }

    /** One config operation; {@code value} is null for DELETE. */
    public record Op(String name, OpType op, String value) {
        public Op {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(op, "op");
        }
    }

    /**
     * @param resourceName topic name, or for BROKER "" (cluster default) or the broker id as text
     */
    public record ResourceChange(ResourceType resourceType, String resourceName, List<Op> ops) {
        public ResourceChange {
            Objects.requireNonNull(resourceType, "resourceType");
            Objects.requireNonNull(resourceName, "resourceName");
            ops = List.copyOf(ops);
        }
    }

    public record ResourceError(ResourceType resourceType, String resourceName, short errorCode,
                                String errorMessage) {
    }

    public record Result(short errorCode, String errorMessage, List<ResourceError> resources)
        implements CommandResult {
        public Result {
            resources = List.copyOf(resources);
        }
    }
}
