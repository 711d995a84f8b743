package io.sluice.metadata.command;

import java.util.Map;

/** Sets finalized feature levels (Kafka's UpdateFeatures, KIP-584); level 0 removes a feature. */
public record UpdateFeatures(Map<String, Short> levels) implements MetadataCommand<SimpleResult> {
    public UpdateFeatures {
        levels = Map.copyOf(levels);
    }

    @Override
    public CommandType type() {
        return CommandType.UPDATE_FEATURES;
    }

    @Override
    public SimpleResult failed(short errorCode, String message) {
        return new SimpleResult(errorCode, message);
    }
}
