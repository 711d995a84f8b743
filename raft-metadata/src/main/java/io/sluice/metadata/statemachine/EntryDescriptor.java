package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.BufferReader;
import io.sluice.metadata.codec.BufferWriter;
import io.sluice.metadata.codec.MalformedRecordException;
import io.sluice.metadata.command.ErrorCodes;

/**
 * Layout of one metadata log entry (the Ratis state-machine log data): the command as the client
 * sent it, wrapped by the quorum leader with the values apply must not read from its own machine.
 *
 * <pre>
 *  0        1                  9                  17                 21
 *  +--------+------------------+------------------+------------------+--------------------+
 *  | version| leaderTimeMs i64 | seed i64         | sessionTimeoutMs | command record ... |
 *  |  (=1)  | leader's clock   | random for ids   | i32              | (CommandCodec)     |
 *  +--------+------------------+------------------+------------------+--------------------+
 * </pre>
 * Stateless, thread-safe.
 */
public final class EntryDescriptor {
    public static final byte VERSION = 1;
    // Each field starts where the previous one ends, so a field can change size without a stale offset.
    public static final int VERSION_OFFSET = 0;
    public static final int LEADER_TIME_OFFSET = VERSION_OFFSET + Byte.BYTES;
    public static final int SEED_OFFSET = LEADER_TIME_OFFSET + Long.BYTES;
    public static final int SESSION_TIMEOUT_OFFSET = SEED_OFFSET + Long.BYTES;
    public static final int COMMAND_OFFSET = SESSION_TIMEOUT_OFFSET + Integer.BYTES;

    private EntryDescriptor() {
    }

    /** The header fields of an entry. */
    public record Header(long leaderTimeMs, long seed, int sessionTimeoutMs) {
    }

    public static byte[] wrap(long leaderTimeMs, long seed, int sessionTimeoutMs, byte[] command) {
        BufferWriter w = new BufferWriter(COMMAND_OFFSET + command.length);
        w.i8(VERSION).i64(leaderTimeMs).i64(seed).i32(sessionTimeoutMs).bytes(command);
        return w.toByteArray();
    }

    /** Reads the header; the reader is then positioned at the command. */
    public static Header readHeader(BufferReader r) {
        byte v = r.i8();
        if (v != VERSION) {
            throw new MalformedRecordException(ErrorCodes.UNSUPPORTED_VERSION, "metadata entry version " + v
                + " is not supported (expected " + VERSION + ")");
        }
        return new Header(r.i64(), r.i64(), r.i32());
    }
}
