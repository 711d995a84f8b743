package io.sluice.chaos.proxy;

/**
 * What a {@link FaultProxy} does to the bytes it forwards. Immutable, thread-safe.
 *
 * @param kind    pass, delay, stall or refuse
 * @param delayMs how long each chunk is held back (only for {@link Kind#DELAY})
 */
public record LinkMode(Kind kind, long delayMs) {
    public enum Kind { PASS, DELAY, STALL, REFUSE }

    public static LinkMode pass() {
        return new LinkMode(Kind.PASS, 0);
    }

    public static LinkMode delay(long delayMs) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("delayMs must be >= 0: " + delayMs);
        }
        return new LinkMode(Kind.DELAY, delayMs);
    }

    public static LinkMode stalled() {
        return new LinkMode(Kind.STALL, 0);
    }

    public static LinkMode refusing() {
        return new LinkMode(Kind.REFUSE, 0);
    }
}
