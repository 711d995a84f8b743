package io.sluice.bench.broker.cleaner;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The records written to the compacted topic of the cleaner step: {@code records} records over
 * {@code records / writesPerKey} keys, written in rounds; each round writes every key once, in a
 * seeded order of its own. After the last round each key's latest record is its only live one, so
 * exactly {@code 1 / writesPerKey} of the records written are live (10 % for 10 writes a key), and
 * every key's live record is in the last round, so the cleaner has to look through the whole log.
 * The same seed gives the same keys, order and values: both brokers get identical data.
 *
 * <p>Owned by the one thread that writes the records; not thread-safe.
 */
public final class CompactedData {
    private final long records;
    private final int keys;
    private final int valueBytes;
    private final SplittableRandom random;
    private final int[] order;
    private long next;

    /**
     * @param records      records to write; a whole number of rounds, at least one
     * @param writesPerKey how often each key is written (10: 10 % of the records are live)
     * @param valueBytes   bytes of each value (random: incompressible)
     * @param seed         for the key order of each round and the values
     */
    public CompactedData(long records, int writesPerKey, int valueBytes, long seed) {
        if (writesPerKey < 1 || records < writesPerKey || records % writesPerKey != 0 || records / writesPerKey > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("records (" + records + ") must be a whole number of rounds of "
                    + writesPerKey + " writes per key, at most " + Integer.MAX_VALUE + " keys");
        }
        this.records = records;
        this.keys = (int) (records / writesPerKey);
        this.valueBytes = valueBytes;
        this.random = new SplittableRandom(seed);
        this.order = new int[keys];
        for (int i = 0; i < keys; i++) {
            order[i] = i;
        }
    }

    /** Records for about {@code bytes} of values, rounded down to whole rounds (at least one). */
    public static long recordsFor(long bytes, int writesPerKey, int valueBytes) {
        long rounds = Math.max(1, bytes / valueBytes / writesPerKey);
        return rounds * writesPerKey;
    }

    public long records() {
        return records;
    }

    /** Distinct keys: the records live after a full cleaning. */
    public int keys() {
        return keys;
    }

    public boolean hasNext() {
        return next < records;
    }

    /** The next record's key index (0 ≤ index < {@link #keys()}); call {@link #value()} for its value. */
    public int nextKey() {
        if (!hasNext()) {
            throw new IllegalStateException("all " + records + " records were given");
        }
        int inRound = (int) (next % keys);
        if (inRound == 0) {
            shuffle();
        }
        next++;
        return order[inRound];
    }

    /** A fresh value for the record just given. */
    public byte[] value() {
        byte[] value = new byte[valueBytes];
        random.nextBytes(value);
        return value;
    }

    /** The key's bytes as written: {@code key-00000042}. */
    public static byte[] keyBytes(int key) {
        return String.format("key-%08d", key).getBytes(StandardCharsets.US_ASCII);
    }

    /** Fisher–Yates with the seeded random: each round its own order. */
    private void shuffle() {
        for (int i = keys - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
