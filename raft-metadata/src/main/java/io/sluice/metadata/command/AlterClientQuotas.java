package io.sluice.metadata.command;

import io.sluice.metadata.image.ClientQuotaEntity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sets or removes client quotas (Kafka's AlterClientQuotas, KIP-546). Each entry names an entity
 * and the quota keys to set (a value) or remove (no value). Apply validates as Kafka's controller
 * does (entity types {@code user} and {@code client-id}; keys {@code producer_byte_rate},
 * {@code consumer_byte_rate}, {@code request_percentage}, {@code controller_mutation_rate}; values
 * above 0); an entry that fails changes nothing for its entity, the others still apply. Immutable,
 * thread-safe.
 */
public record AlterClientQuotas(List<Entry> entries, boolean validateOnly)
    implements MetadataCommand<AlterClientQuotas.Result> {

    public AlterClientQuotas {
        entries = List.copyOf(entries);
    }

    @Override
    public CommandType type() {
        return CommandType.ALTER_CLIENT_QUOTAS;
    }

    @Override
    public Result failed(short errorCode, String message) {
        List<EntryError> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(new EntryError(e.entity(), errorCode, message)));
        return new Result(errorCode, message, out);
    }

    /**
     * One quota key to change.
     *
     * @param key    the quota name
     * @param value  the new value, or null to remove the key
     */
    public record Op(String key, Double value) {
        public Op {
            Objects.requireNonNull(key, "key");
        }

        public boolean remove() {
            return value == null;
        }
    }

    public record Entry(ClientQuotaEntity entity, List<Op> ops) {
        public Entry {
            Objects.requireNonNull(entity, "entity");
            ops = List.copyOf(ops);
        }
    }

    public record EntryError(ClientQuotaEntity entity, short errorCode, String errorMessage) {
    }

    /** One outcome per entry, in request order. */
    public record Result(short errorCode, String errorMessage, List<EntryError> entries) implements CommandResult {
        public Result {
            entries = List.copyOf(entries);
        }
    }
}
