package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.ClientQuotaEntity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Applies AlterClientQuotas with the rules of Kafka's controller ({@code ClientQuotaControlManager}):
 * same checks, same order, same error codes and messages. One difference: {@code ip} entities
 * (connection quotas) are refused, because Sluice does not enforce connection quotas and must not
 * store a quota it will not enforce. Stateless.
 */
final class ClientQuotaCommands {
    static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    static final String REQUEST_PERCENTAGE = "request_percentage";
    static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";

    /** Kafka's user/client-id quota keys and whether each is integral (a LONG config in Kafka). */
    private static final Map<String, Boolean> KEY_IS_INTEGRAL = Map.of(
        PRODUCER_BYTE_RATE, true, CONSUMER_BYTE_RATE, true,
        REQUEST_PERCENTAGE, false, CONTROLLER_MUTATION_RATE, false);

    private ClientQuotaCommands() {
    }

    static AlterClientQuotas.Result alter(ApplyContext ctx, AlterClientQuotas c) {
        List<AlterClientQuotas.EntryError> out = new ArrayList<>(c.entries().size());
        Set<ClientQuotaEntity> seen = new HashSet<>();
        for (AlterClientQuotas.Entry e : c.entries()) {
            String error = seen.add(e.entity()) && !hasDuplicateKey(e) ? alterOne(ctx, e, c.validateOnly())
                : "Ignoring duplicate entity " + e.entity();
            out.add(new AlterClientQuotas.EntryError(e.entity(), error == null ? ErrorCodes.NONE
                : ErrorCodes.INVALID_REQUEST, error));
        }
        return new AlterClientQuotas.Result(ErrorCodes.NONE, null, out);
    }

    /** Validates and applies one entry; returns the INVALID_REQUEST message, or null when it applied. */
    private static String alterOne(ApplyContext ctx, AlterClientQuotas.Entry e, boolean validateOnly) {
        String error = validateEntity(e.entity());
        if (error != null) {
            return error;
        }
        Map<String, Double> current = ctx.image.clientQuotas().getOrDefault(e.entity(), Map.of());
        Map<String, Double> next = new HashMap<>(current);
        for (AlterClientQuotas.Op op : e.ops()) {
            if (op.remove()) {
                next.remove(op.key());
                continue;
            }
            error = validateKeyValue(op.key(), op.value());
            if (error != null) {
                return error;
            }
            next.put(op.key(), op.value());
        }
        if (!validateOnly && !next.equals(current)) {
            ctx.image.putClientQuotas(e.entity(), next);
        }
        return null;
    }

    private static boolean hasDuplicateKey(AlterClientQuotas.Entry e) {
        Set<String> keys = new HashSet<>();
        for (AlterClientQuotas.Op op : e.ops()) {
            if (!keys.add(op.key())) {
                return true;
            }
        }
        return false;
    }

    private static String validateEntity(ClientQuotaEntity entity) {
        if (entity.components().isEmpty()) {
            return "Invalid empty client quota entity";
        }
        Set<String> types = new HashSet<>();
        for (ClientQuotaEntity.Component c : entity.components()) {
            String type = c.entityType();
            if (!types.add(type)) {
                return "Invalid client quota entity, duplicate entity entry " + type;
            }
            if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)
                && !type.equals(ClientQuotaEntity.IP)) {
                return "Unhandled client quota entity type: " + type;
            }
            if (Objects.equals(c.entityName(), "")) {
                return "Empty " + type + " not supported";
            }
        }
        if (types.contains(ClientQuotaEntity.IP)) {
            return "Sluice does not enforce connection quotas: ip entities (connection_creation_rate) are not supported";
        }
        return null;
    }

    private static String validateKeyValue(String key, double value) {
        Boolean integral = KEY_IS_INTEGRAL.get(key);
        if (integral == null) {
            return "Invalid configuration key " + key;
        }
        if (!(value > 0.0)) {
            return "Quota " + key + " must be greater than 0";
        }
        if (!integral) {
            return null;
        }
        if (value > Long.MAX_VALUE) {
            return "Proposed value for " + key + " is too large for a LONG.";
        }
        if (Math.abs(value % 1.0) > 1e-6) {
            return key + " cannot be a fractional value.";
        }
        return null;
    }
}
