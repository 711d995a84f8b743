package io.sluice.metadata.command;

import io.sluice.metadata.image.Endpoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A broker (re-)registers at start-up (Kafka's BrokerRegistration, KIP-631). The registration is
 * fenced until a heartbeat shows the broker has caught up with the metadata log up to its
 * registration. A registration with a new incarnation id replaces the old one if that broker is
 * fenced or its session expired; otherwise DUPLICATE_BROKER_REGISTRATION.
 */
public record RegisterBroker(int brokerId, UUID incarnationId, List<Endpoint> endpoints, Optional<String> rack)
    implements MetadataCommand<RegisterBroker.Result> {

    public RegisterBroker {
        Objects.requireNonNull(incarnationId, "incarnationId");
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(rack, "rack");
    }

    @Override
    public CommandType type() {
        return CommandType.REGISTER_BROKER;
    }

    @Override
    public Result failed(short errorCode, String message) {
        return new Result(errorCode, message, -1);
    }

    /** @param brokerEpoch the broker epoch to put in heartbeats (the registration's log offset) */
    public record Result(short errorCode, String errorMessage, long brokerEpoch) implements CommandResult {
    }
}
