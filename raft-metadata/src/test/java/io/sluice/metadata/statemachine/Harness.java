package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.codec.ResultCodec;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Applies commands to an image through the real entry path, with a stepped clock. Not thread-safe. */
final class Harness {
    static final int SESSION_TIMEOUT_MS = 9000;
    MetadataImage image = MetadataImage.empty("test-cluster");
    MetadataDelta lastDelta;
    long nowMs = 1_000_000;
    long seed = 42;

    <R extends CommandResult> R apply(MetadataCommand<R> c) {
        byte[] entry = EntryDescriptor.wrap(nowMs, seed++, SESSION_TIMEOUT_MS, CommandCodec.encode(c));
        MetadataApplier.Applied a = MetadataApplier.applyEntry(image, image.offset() + 1, 1, entry);
        image = a.image();
        lastDelta = a.delta();
        return ResultCodec.decode(c, a.result());
    }

    /** Registers and unfences a broker; returns its epoch. */
    long liveBroker(int id, String rack) {
        long epoch = apply(new RegisterBroker(id, UUID.randomUUID(),
            List.of(new Endpoint("PLAINTEXT", "h" + id, 9092, (short) 0)), Optional.ofNullable(rack))).brokerEpoch();
        apply(new BrokerHeartbeat(id, epoch, image.offset(), false));
        return epoch;
    }

    void advance(long ms) {
        nowMs += ms;
    }
}
