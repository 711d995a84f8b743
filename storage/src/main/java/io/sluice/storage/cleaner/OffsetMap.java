package io.sluice.storage.cleaner;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Key hash → the latest offset seen for that key in the dirty section (Kafka's SkeinOffsetMap): an
 * open-addressing table of 16-byte MD5 key hashes (Kafka's default hash) and 8-byte offsets, 24 bytes
 * a slot. Its memory is bounded by the cleaner thread's share of {@code log.cleaner.dedupe.buffer.size}:
 * it holds at most {@code slots × log.cleaner.io.buffer.load.factor} keys, slots being that share over
 * 24 bytes, and {@link #isFull()} then tells the cleaner to stop the dirty range there, as Kafka's does.
 * Unlike Kafka's, which allocates its whole buffer up front, the table starts small and doubles up to
 * that bound, so a broker with few compacted keys does not hold 128 MiB for them.
 *
 * <p>Not thread-safe: one per cleaner thread.
 */
public final class OffsetMap {

    public static final int HASH_BYTES = 16;
    public static final int BYTES_PER_ENTRY = HASH_BYTES + Long.BYTES;
    private static final int INITIAL_SLOTS = 1024;
    private static final double GROW_AT = 0.75;

    private final int slotsMax;
    private final int entriesMax;
    private final MessageDigest md5;
    private final byte[] digest = new byte[HASH_BYTES];

    private long[] hashHigh;
    private long[] hashLow;
    /** -1 marks an empty slot (offsets are never negative). */
    private long[] offsets;
    private int size;
    private long latestOffset = -1L;

    /**
     * @param memoryBytes the bound: this thread's share of {@code log.cleaner.dedupe.buffer.size}
     * @param loadFactor  {@code log.cleaner.io.buffer.load.factor}
     */
    public OffsetMap(long memoryBytes, double loadFactor) {
        long slots = Math.min(memoryBytes / BYTES_PER_ENTRY, Integer.MAX_VALUE - 8);
        if (slots < 1) {
            throw new IllegalArgumentException("Invalid value " + memoryBytes + " for the log cleaner's offset map "
                    + "(log.cleaner.dedupe.buffer.size / log.cleaner.threads): must hold at least one entry of "
                    + BYTES_PER_ENTRY + " bytes");
        }
        this.slotsMax = (int) slots;
        this.entriesMax = Math.max(1, (int) (slots * loadFactor));
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
        allocate(Math.min(INITIAL_SLOTS, slotsMax));
    }

    /** The most keys it holds before {@link #isFull()}. */
    public int entriesMax() {
        return entriesMax;
    }

    public int size() {
        return size;
    }

    public boolean isFull() {
        return size >= entriesMax;
    }

    /** The last offset of the dirty section mapped; -1 if nothing. */
    public long latestOffset() {
        return latestOffset;
    }

    public void updateLatestOffset(long offset) {
        latestOffset = offset;
    }

    /** Share of the bound in use (Kafka's buffer utilization). */
    public double utilization() {
        return (double) size / slotsMax;
    }

    public void clear() {
        if (offsets.length > INITIAL_SLOTS * 64) {
            allocate(Math.min(INITIAL_SLOTS, slotsMax)); // give a big table back between cleanings
        } else {
            Arrays.fill(offsets, -1L);
        }
        size = 0;
        latestOffset = -1L;
    }

    /** Records {@code offset} as the latest of the key {@code key[position, position + length)}; never past {@link #isFull()}. */
    public void put(byte[] key, int position, int length, long offset) {
        hash(key, position, length);
        long high = high();
        long low = low();
        int slot = find(high, low);
        if (offsets[slot] >= 0) {
            offsets[slot] = offset;
            return;
        }
        if (isFull()) {
            throw new IllegalStateException("offset map full at " + size + " entries");
        }
        hashHigh[slot] = high;
        hashLow[slot] = low;
        offsets[slot] = offset;
        size++;
        if (size > offsets.length * GROW_AT && offsets.length < slotsMax) {
            grow();
        }
    }

    /** The latest offset of the key, or -1 if it is not in the map. */
    public long get(byte[] key, int position, int length) {
        hash(key, position, length);
        return offsets[find(high(), low())];
    }

    private int find(long high, long low) {
        int n = offsets.length;
        int slot = (int) Long.remainderUnsigned(high, n);
        while (offsets[slot] >= 0 && (hashHigh[slot] != high || hashLow[slot] != low)) {
            slot = slot + 1 == n ? 0 : slot + 1;
        }
        return slot;
    }

    private void grow() {
        long[] oldHigh = hashHigh;
        long[] oldLow = hashLow;
        long[] oldOffsets = offsets;
        allocate((int) Math.min(slotsMax, (long) oldOffsets.length * 2));
        for (int i = 0; i < oldOffsets.length; i++) {
            if (oldOffsets[i] >= 0) {
                int slot = find(oldHigh[i], oldLow[i]);
                hashHigh[slot] = oldHigh[i];
                hashLow[slot] = oldLow[i];
                offsets[slot] = oldOffsets[i];
            }
        }
    }

    private void allocate(int slots) {
        hashHigh = new long[slots];
        hashLow = new long[slots];
        offsets = new long[slots];
        Arrays.fill(offsets, -1L);
    }

    private void hash(byte[] key, int position, int length) {
        md5.update(key, position, length);
        try {
            md5.digest(digest, 0, HASH_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private long high() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (digest[i] & 0xFF);
        }
        return v;
    }

    private long low() {
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = (v << 8) | (digest[i] & 0xFF);
        }
        return v;
    }
}
