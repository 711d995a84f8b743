package io.sluice.metadata.command;

/**
 * Removes a broker's registration (Kafka's UnregisterBroker). Partitions it led get new leaders
 * from their ISR; it leaves every ISR.
 */
public record UnregisterBroker(int brokerId) implements MetadataCommand<SimpleResult> {
    @Override
    public CommandType type() {
        return CommandType.UNREGISTER_BROKER;
    }

    @Override
    public SimpleResult failed(short errorCode, String message) {
        return new SimpleResult(errorCode, message);
    }
}
