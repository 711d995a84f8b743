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
 * fenced, its session expired, or {@code previousBrokerEpoch} is the old registration's epoch;
 * otherwise DUPLICATE_BROKER_REGISTRATION.
 *
 * <p>{@code previousBrokerEpoch} is Kafka's field of the same name (KIP-966), which Kafka sends after a
 * clean shutdown. Sluice sends it after any restart: the broker keeps its epoch in a file it holds
 * locked while it runs ({@link io.sluice.metadata.client.BrokerEpochFile}), so only the process that
 * took over the old incarnation's directory can know it, and a restart after SIGKILL serves again
 * without sitting out the old session. -1 when unknown.
 */
public record RegisterBroker(int brokerId, UUID incarnationId, List<Endpoint> endpoints, Optional<String> rack,
                             long previousBrokerEpoch)
    implements MetadataCommand<RegisterBroker.Result> {
    public static final long NO_PREVIOUS_EPOCH = -1;

    /** A registration that claims no previous incarnation. */
    public RegisterBroker(int brokerId, UUID incarnationId, List<Endpoint> endpoints, Optional<String> rack) {
        this(brokerId, incarnationId, endpoints, rack, NO_PREVIOUS_EPOCH);
    }

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
