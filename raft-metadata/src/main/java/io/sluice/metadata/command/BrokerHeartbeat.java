package io.sluice.metadata.command;

/**
 * A broker's periodic heartbeat ({@code broker.heartbeat.interval.ms}). It records the leader's
 * clock as the broker's last contact and unfences a fenced broker once {@code currentMetadataOffset}
 * has reached its registration (Kafka: "caught up").
 *
 * @param brokerEpoch            the epoch returned by {@link RegisterBroker}
 * @param currentMetadataOffset  the offset of the broker's local metadata image
 * @param wantFence              the broker asks to stay fenced (e.g. still loading logs)
 */
public record BrokerHeartbeat(int brokerId, long brokerEpoch, long currentMetadataOffset, boolean wantFence)
    implements MetadataCommand<BrokerHeartbeat.Result> {

    @Override
    public CommandType type() {
        return CommandType.BROKER_HEARTBEAT;
    }

    @Override
    public Result failed(short errorCode, String message) {
        return new Result(errorCode, message, false, true);
    }

    public record Result(short errorCode, String errorMessage, boolean caughtUp, boolean fenced)
        implements CommandResult {
    }
}
