package io.sluice.chaos.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Turns well-formed frames into bad ones: bytes flipped, sizes lied about, frames truncated,
 * several frames concatenated, headers with unknown api keys or versions, or plain garbage. Each
 * result is the bytes to write on the wire, size prefix included. Stateless.
 */
public final class FrameMutator {
    /** The mutations, for statistics. */
    public enum Kind { VALID, FLIP, SIZE_LIE, TRUNCATE, CONCAT, BAD_HEADER, GARBAGE }

    /** The bytes to send and whether the sender should then close (a truncated frame would stall the reader). */
    public record Mutated(Kind kind, byte[] wire, boolean closeAfter) { }

    private FrameMutator() { }

    public static Mutated mutate(FrameFactory frames, Random r) {
        Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
        byte[] frame = frames.any(r);
        switch (kind) {
            case VALID:
                return new Mutated(kind, prefixed(frame, frame.length), false);
            case FLIP: {
                int n = 1 + r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    frame[r.nextInt(frame.length)] ^= (byte) (1 + r.nextInt(255));
                }
                return new Mutated(kind, prefixed(frame, frame.length), false);
            }
            case SIZE_LIE: {
                int lie = switch (r.nextInt(5)) {
                    case 0 -> Integer.MAX_VALUE;
                    case 1 -> -1 - r.nextInt(1000);
                    case 2 -> 0;
                    case 3 -> frame.length + 1 + r.nextInt(64);
                    default -> Math.max(0, frame.length - 1 - r.nextInt(Math.max(1, frame.length)));
                };
                return new Mutated(kind, prefixed(frame, lie), true);
            }
            case TRUNCATE: {
                int keep = r.nextInt(frame.length);
                byte[] wire = prefixed(frame, frame.length);
                byte[] cut = new byte[4 + keep];
                System.arraycopy(wire, 0, cut, 0, cut.length);
                return new Mutated(kind, cut, true);
            }
            case CONCAT: {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int n = 2 + r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    byte[] f = frames.any(r);
                    if (r.nextInt(3) == 0) {
                        f[r.nextInt(f.length)] ^= (byte) (1 + r.nextInt(255));
                    }
                    out.writeBytes(prefixed(f, f.length));
                }
                return new Mutated(kind, out.toByteArray(), false);
            }
            case BAD_HEADER: {
                ByteBuffer b = ByteBuffer.wrap(frame);
                if (r.nextBoolean()) {
                    b.putShort(0, (short) (100 + r.nextInt(30_000))); // unknown api key
                } else {
                    b.putShort(2, (short) (50 + r.nextInt(30_000))); // unsupported version
                }
                return new Mutated(kind, prefixed(frame, frame.length), false);
            }
            case GARBAGE:
            default: {
                byte[] junk = new byte[1 + r.nextInt(512)];
                r.nextBytes(junk);
                boolean honest = r.nextBoolean();
                return new Mutated(Kind.GARBAGE, honest ? prefixed(junk, junk.length) : junk, !honest);
            }
        }
    }

    static byte[] prefixed(byte[] frame, int sizeField) {
        return ByteBuffer.allocate(4 + frame.length).putInt(sizeField).put(frame).array();
    }
}
