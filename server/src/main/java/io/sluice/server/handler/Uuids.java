package io.sluice.server.handler;

import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** Conversions between the metadata image's {@link UUID} and Kafka's wire {@link Uuid}. Stateless. */
public final class Uuids {
    private Uuids() { }

    public static Uuid toKafka(UUID id) {
        return id == null ? Uuid.ZERO_UUID : new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    public static UUID fromKafka(Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id) ? null : new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
