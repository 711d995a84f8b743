package io.sluice.chaos.proxy;

import java.nio.ByteBuffer;

/**
 * Splits one direction of a Kafka connection into frames (a 4-byte big-endian size, then that many
 * bytes) without holding more than it needs: each frame's first {@code prefixBytes} go to the
 * {@link Handler}, which says whether it wants the whole frame; frames it does not want are skipped
 * by counting. Bytes are fed in whatever chunks the socket gave. A negative size (not Kafka framing,
 * e.g. fuzzed bytes) stops the scanner for good. Single-threaded (the proxy's selector thread).
 */
final class FrameScanner {
    /** Decides per frame from its first bytes; sees whole frames it asked for. */
    interface Handler {
        /**
         * @param frameBytes the frame's size (without the size field)
         * @param prefix     its first min(frameBytes, prefixBytes) bytes, positioned at 0
         * @return whether to collect the whole frame for {@link #onFrame}
         */
        boolean wantsWhole(int frameBytes, ByteBuffer prefix);

        /** The whole frame (without the size field), positioned at 0. */
        void onFrame(ByteBuffer frame);
    }

    private enum State { SIZE, PREFIX, WHOLE, SKIP, BROKEN }

    private final int prefixBytes;
    private final Handler handler;
    private final ByteBuffer sizeField = ByteBuffer.allocate(Integer.BYTES);
    private State state = State.SIZE;
    private ByteBuffer collecting;
    private int frameBytes;
    private long skipRemaining;

    FrameScanner(int prefixBytes, Handler handler) {
        this.prefixBytes = prefixBytes;
        this.handler = handler;
    }

    boolean broken() {
        return state == State.BROKEN;
    }

    /** Consumes every remaining byte of {@code bytes} (its position moves; the caller passes a duplicate). */
    void accept(ByteBuffer bytes) {
        while (bytes.hasRemaining() && state != State.BROKEN) {
            switch (state) {
                case SIZE -> {
                    copy(bytes, sizeField);
                    if (!sizeField.hasRemaining()) {
                        frameBytes = sizeField.getInt(0);
                        sizeField.clear();
                        if (frameBytes < 0) {
                            state = State.BROKEN;
                        } else {
                            collecting = ByteBuffer.allocate(Math.min(frameBytes, prefixBytes));
                            state = State.PREFIX;
                            prefixComplete();
                        }
                    }
                }
                case PREFIX -> {
                    copy(bytes, collecting);
                    prefixComplete();
                }
                case WHOLE -> {
                    copy(bytes, collecting);
                    if (!collecting.hasRemaining()) {
                        handler.onFrame(collecting.flip());
                        collecting = null;
                        state = State.SIZE;
                    }
                }
                case SKIP -> {
                    int n = (int) Math.min(skipRemaining, bytes.remaining());
                    bytes.position(bytes.position() + n);
                    skipRemaining -= n;
                    if (skipRemaining == 0) {
                        state = State.SIZE;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void prefixComplete() {
        if (collecting.hasRemaining()) {
            return;
        }
        ByteBuffer prefix = collecting.flip();
        boolean whole = handler.wantsWhole(frameBytes, prefix.duplicate());
        if (whole && frameBytes > prefix.limit()) {
            collecting = ByteBuffer.allocate(frameBytes).put(prefix.rewind());
            state = State.WHOLE;
        } else if (whole) {
            handler.onFrame(prefix.rewind());
            collecting = null;
            state = State.SIZE;
        } else {
            collecting = null;
            skipRemaining = frameBytes - prefix.limit();
            state = skipRemaining == 0 ? State.SIZE : State.SKIP;
        }
    }

    private static void copy(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        ByteBuffer slice = from.slice(from.position(), n);
        to.put(slice);
        from.position(from.position() + n);
    }
}
