package io.sluice.storage.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Leader epoch to start offset (KIP-101), kept in the partition dir's {@code leader-epoch-checkpoint}
 * (Kafka's format, rewritten atomically on every change; changes are rare: one per leader change).
 *
 * <p>Owned by its log; thread-safe (synchronized: small and off the hot path except the
 * "is this epoch new" check on append, which is a volatile read).
 */
public final class LeaderEpochCache {

    public static final String FILE_NAME = "leader-epoch-checkpoint";

    private final Path file;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();
    private volatile int latestEpoch = -1;

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    public static LeaderEpochCache load(Path partitionDir) throws IOException {
        LeaderEpochCache cache = new LeaderEpochCache(partitionDir.resolve(FILE_NAME));
        for (String[] e : CheckpointFile.read(cache.file, 2)) {
            try {
                cache.epochs.put(Integer.parseInt(e[0]), Long.parseLong(e[1]));
            } catch (NumberFormatException ex) {
                throw new IOException("malformed " + cache.file + ": " + String.join(" ", e), ex);
            }
        }
        cache.latestEpoch = cache.epochs.isEmpty() ? -1 : cache.epochs.lastKey();
        return cache;
    }

    public int latestEpoch() {
        return latestEpoch;
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. Ignored if the epoch is not newer
     * than the latest (Kafka: epochs only grow); entries at or after {@code startOffset} with a lower
     * epoch are removed.
     *
     * @return true if the cache changed
     */
    public synchronized boolean assign(int epoch, long startOffset) throws IOException {
        if (epoch < 0 || epoch <= latestEpoch && epochs.containsKey(epoch)) {
            return false;
        }
        if (epoch < latestEpoch) {
            return false;
        }
        epochs.values().removeIf(offset -> offset >= startOffset);
        epochs.put(epoch, startOffset);
        latestEpoch = epochs.lastKey();
        persist();
        return true;
    }

    /** Kafka's LeaderEpochFileCache.endOffsetFor. */
    public synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == EpochEndOffset.UNDEFINED_EPOCH || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requestedEpoch == latestEpoch) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requestedEpoch);
        if (floor == null) {
            return new EpochEndOffset(requestedEpoch, higher.getValue());
        }
        return new EpochEndOffset(floor.getKey(), higher.getValue());
    }

    /** Epoch of the batch at {@code offset}: the largest epoch starting at or before it; -1 if none. */
    public synchronized int epochForOffset(long offset) {
        int found = -1;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= offset) {
                found = e.getKey();
            } else {
                break;
            }
        }
        return found;
    }

    /** After truncation: drops epochs starting at or after {@code endOffset}. */
    public synchronized void truncateFromEnd(long endOffset) throws IOException {
        if (epochs.values().removeIf(offset -> offset >= endOffset)) {
            latestEpoch = epochs.isEmpty() ? -1 : epochs.lastKey();
            persist();
        }
    }

    /**
     * At load: drops epochs that start beyond the recovered log end offset. An epoch starting exactly
     * at it is kept: a new leader records its epoch before its first append.
     */
    public synchronized void truncateBeyond(long logEndOffset) throws IOException {
        if (epochs.values().removeIf(offset -> offset > logEndOffset)) {
            latestEpoch = epochs.isEmpty() ? -1 : epochs.lastKey();
            persist();
        }
    }

    /**
     * After the log start offset moved: epochs that ended before it are dropped and the one holding
     * it starts at it (Kafka's truncateFromStart).
     */
    public synchronized void truncateFromStart(long startOffset) throws IOException {
        Map.Entry<Integer, Long> floor = null;
        List<Integer> remove = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= startOffset) {
                if (floor != null) {
                    remove.add(floor.getKey());
                }
                floor = e;
            }
        }
        if (floor == null || (remove.isEmpty() && floor.getValue() == startOffset)) {
            return;
        }
        remove.forEach(epochs::remove);
        epochs.put(floor.getKey(), startOffset);
        persist();
    }

    /** Empties the cache (the log was emptied). */
    public synchronized void clear() throws IOException {
        if (!epochs.isEmpty()) {
            epochs.clear();
            latestEpoch = -1;
            persist();
        }
    }

    public synchronized Map<Integer, Long> entries() {
        return Map.copyOf(epochs);
    }

    private void persist() throws IOException {
        List<String> lines = new ArrayList<>(epochs.size());
        epochs.forEach((epoch, offset) -> lines.add(epoch + " " + offset));
        CheckpointFile.write(file, lines);
    }
}
