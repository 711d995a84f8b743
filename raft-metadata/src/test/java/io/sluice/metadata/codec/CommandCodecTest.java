package io.sluice.metadata.codec;

import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.CommandType;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.statemachine.CommandGenAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandCodecTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());

    @Test
    void everyCommandRoundTripsThroughItsCodec() {
        SplittableRandom random = new SplittableRandom(SEED);
        Set<CommandType> seen = EnumSet.noneOf(CommandType.class);
        try {
            for (int i = 0; i < 20_000; i++) {
                MetadataCommand<?> c = CommandGenAccess.any(random);
                seen.add(c.type());
                byte[] bytes = CommandCodec.encode(c);
                assertThat(CommandCodec.decode(bytes)).as("round trip of %s", c).isEqualTo(c);
            }
        } catch (AssertionError | RuntimeException e) {
            fail("failed with -Dseed=" + SEED, e);
        }
        assertThat(seen).containsExactlyInAnyOrder(CommandType.values());
    }

    @Test
    void everyTruncationAndTrailingByteIsRejectedAsMalformed() {
        SplittableRandom random = new SplittableRandom(SEED);
        try {
            for (int i = 0; i < 2_000; i++) {
                byte[] bytes = CommandCodec.encode(CommandGenAccess.any(random));
                for (int len = 0; len < bytes.length; len++) {
                    byte[] cut = Arrays.copyOf(bytes, len);
                    assertThatThrownBy(() -> CommandCodec.decode(cut)).isInstanceOf(MalformedRecordException.class);
                }
                byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
                assertThatThrownBy(() -> CommandCodec.decode(longer)).isInstanceOf(MalformedRecordException.class);
            }
        } catch (AssertionError e) {
            fail("failed with -Dseed=" + SEED, e);
        }
    }

    @Test
    void randomBytesNeverThrowAnythingButMalformed() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) random.nextInt(256);
            }
            if (b.length > 0) {
                b[0] = (byte) random.nextInt(14);
            }
            if (b.length > 1) {
                b[1] = 0;
            }
            try {
                CommandCodec.decode(b);
            } catch (MalformedRecordException expected) {
                // fine
            } catch (RuntimeException e) {
                fail("seed " + SEED + ": unexpected " + e + " for " + Arrays.toString(b), e);
            }
        }
    }

    /** Logs written before previousBrokerEpoch existed still decode, as registrations naming no epoch. */
    @Test
    void registerBrokerVersion0DecodesWithoutAPreviousEpoch() {
        RegisterBroker latest = new RegisterBroker(3, UUID.randomUUID(),
            List.of(new Endpoint("PLAINTEXT", "h", 9092, (short) 0)), Optional.of("r1"), 17);
        byte[] v1 = CommandCodec.encode(latest);
        byte[] v0 = Arrays.copyOf(v1, v1.length - Long.BYTES);
        v0[CommandCodec.VERSION_OFFSET] = 0;
        assertThat(CommandCodec.decode(v0)).isEqualTo(new RegisterBroker(3, latest.incarnationId(), latest.endpoints(),
            latest.rack(), RegisterBroker.NO_PREVIOUS_EPOCH));
    }

    /** Fencing ticks logged before leaderSinceMs existed still decode, without a new leader's grace. */
    @Test
    void fenceExpiredBrokersVersion0DecodesWithoutGrace() {
        byte[] v1 = CommandCodec.encode(new FenceExpiredBrokers(9000, 123_456));
        byte[] v0 = Arrays.copyOf(v1, v1.length - Long.BYTES);
        v0[CommandCodec.VERSION_OFFSET] = 0;
        assertThat(CommandCodec.decode(v0)).isEqualTo(new FenceExpiredBrokers(9000, FenceExpiredBrokers.NO_LEADER_SINCE));
    }

    /** ISR changes logged before KIP-903's member epochs existed still decode, with no member's epoch checked. */
    @Test
    void alterPartitionVersion0DecodesWithUncheckedMemberEpochs() {
        UUID topicId = new UUID(7, 8);
        BufferWriter w = new BufferWriter(64);
        w.i8(CommandType.ALTER_PARTITION.id()).i8(0).i32(1).i64(42).i32(1)
            .uuid(topicId).i32(3).i32(5).i32(6).intArray(new int[] {1, 2});
        assertThat(CommandCodec.decode(w.toByteArray())).isEqualTo(new AlterPartition(1, 42, List.of(
            new AlterPartition.IsrChange(topicId, 3, 5, 6, new int[] {1, 2}, new long[] {-1, -1}))));
    }

    /** Elections logged before the rebalance field existed still decode, as a user's election. */
    @Test
    void electLeadersVersion0DecodesAsAUsersElectionAndABadRebalanceIsMalformed() {
        byte[] v1 = CommandCodec.encode(new ElectLeaders(ElectLeaders.ElectionType.UNCLEAN, false,
            List.of(new ElectLeaders.PartitionRef("t", 2))));
        byte[] v0 = Arrays.copyOf(v1, v1.length - 1);
        v0[CommandCodec.VERSION_OFFSET] = 0;
        assertThat(CommandCodec.decode(v0)).isEqualTo(new ElectLeaders(ElectLeaders.ElectionType.UNCLEAN, false,
            List.of(new ElectLeaders.PartitionRef("t", 2)), false));
        byte[] badRebalance = v1.clone();
        badRebalance[badRebalance.length - 1] = 1; // a rebalance flag on an UNCLEAN election of one partition
        assertThatThrownBy(() -> CommandCodec.decode(badRebalance)).isInstanceOf(MalformedRecordException.class);
        assertThat(CommandCodec.decode(CommandCodec.encode(ElectLeaders.automaticRebalance()))).isEqualTo(ElectLeaders.automaticRebalance());
    }

    @Test
    void unknownTypeIsInvalidRequestAndNewerVersionIsUnsupported() {
        assertThatThrownBy(() -> CommandCodec.decode(new byte[] {99, 0}))
            .isInstanceOfSatisfying(MalformedRecordException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCodes.INVALID_REQUEST));
        assertThatThrownBy(() -> CommandCodec.decode(new byte[] {CommandType.UNREGISTER_BROKER.id(), 1, 0, 0, 0, 1}))
            .isInstanceOfSatisfying(MalformedRecordException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCodes.UNSUPPORTED_VERSION));
    }

    @Test
    void hugeCountsAreRejectedBeforeAllocating() {
        // CREATE_TOPICS v0, validateOnly=false, count = 2^31-1
        byte[] b = {CommandType.CREATE_TOPICS.id(), 0, 0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> CommandCodec.decode(b)).isInstanceOf(MalformedRecordException.class)
            .hasMessageContaining("count");
    }
}
