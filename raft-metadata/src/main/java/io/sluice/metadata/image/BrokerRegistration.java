package io.sluice.metadata.image;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A broker as the quorum knows it. Immutable, thread-safe; owned by the {@link MetadataImage} it
 * belongs to.
 *
 * @param brokerId           the broker's {@code node.id}
 * @param incarnationId      random id the broker picks at every process start; a new incarnation
 *                           replaces the old registration
 * @param brokerEpoch        the metadata offset of the registration (Kafka's broker epoch, KIP-631);
 *                           heartbeats must carry it
 * @param endpoints          advertised listeners, in registration order
 * @param rack               {@code broker.rack}, if set
 * @param fenced             a fenced broker leads nothing and is not offered to clients
 * @param lastHeartbeatMs    quorum leader's clock at the last accepted heartbeat (or registration)
 */
public record BrokerRegistration(int brokerId, UUID incarnationId, long brokerEpoch,
                                 List<Endpoint> endpoints, Optional<String> rack, boolean fenced,
                                 long lastHeartbeatMs) {
    public BrokerRegistration {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(rack, "rack");
    }

    /** A copy with another fenced flag. */
    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(brokerId, incarnationId, brokerEpoch, endpoints, rack, newFenced,
            lastHeartbeatMs);
    }

    /** A copy with another heartbeat time. */
    public BrokerRegistration withLastHeartbeatMs(long timeMs) {
        return new BrokerRegistration(brokerId, incarnationId, brokerEpoch, endpoints, rack, fenced, timeMs);
    }

    /** The endpoint for a listener name, if the broker advertises it. */
    public Optional<Endpoint> endpoint(String listenerName) {
        for (Endpoint e : endpoints) {
            if (e.listenerName().equals(listenerName)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
