package io.sluice.chaos.checker;

import io.sluice.chaos.fault.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the committed prefixes of one partition's replicas, batch by batch: base offset, last
 * offset and the CRC each batch header stores, for every batch below the high watermark. Reads the
 * nodes' segment files with the harness's own batch walker ({@link SegmentFiles}), so it works for
 * any broker keeping Kafka's segment format ({@code NNN.log}), Kafka's and Sluice's alike; a
 * preallocated tail ends the walk at its first zero header. Replicas copy batches verbatim, so
 * after catch-up every replica's committed prefix is the same sequence. Stateless.
 */
public final class CommittedPrefixes {
    private CommittedPrefixes() { }

    /** What identifies a batch across replicas (its file position may differ: segments roll per node). */
    public record BatchId(long baseOffset, long lastOffset, long crc) {
        @Override
        public String toString() {
            return baseOffset + ".." + lastOffset + " crc 0x" + Long.toHexString(crc);
        }
    }

    /** A replica whose committed prefix is not the one most replicas hold. */
    public record Divergence(String node, long offset, String how) { }

    /** The batches of {@code topic-partition} in {@code logDir} whose base offset is below {@code highWatermark}. */
    public static List<BatchId> read(Path logDir, String topic, int partition, long highWatermark) throws IOException {
        Path dir = logDir.resolve(topic + "-" + partition);
        List<BatchId> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        for (Path segment : SegmentFiles.segments(dir)) {
            for (SegmentFiles.Batch b : SegmentFiles.batches(segment)) {
                if (b.baseOffset() >= highWatermark) {
                    return out;
                }
                out.add(new BatchId(b.baseOffset(), b.lastOffset(), b.crc()));
            }
        }
        return out;
    }

    /**
     * The replicas (by node name, in the map's order) whose prefix differs from the one most of
     * them hold (ties: the first node's), each with the first offset where it differs.
     */
    public static List<Divergence> compare(Map<String, List<BatchId>> prefixByNode) {
        Map<List<BatchId>, List<String>> nodesByPrefix = new LinkedHashMap<>();
        prefixByNode.forEach((node, prefix) -> nodesByPrefix.computeIfAbsent(prefix, p -> new ArrayList<>()).add(node));
        if (nodesByPrefix.size() <= 1) {
            return List.of();
        }
        Map.Entry<List<BatchId>, List<String>> reference = null;
        for (Map.Entry<List<BatchId>, List<String>> e : nodesByPrefix.entrySet()) {
            if (reference == null || e.getValue().size() > reference.getValue().size()) {
                reference = e;
            }
        }
        List<BatchId> ref = reference.getKey();
        List<Divergence> out = new ArrayList<>();
        for (Map.Entry<List<BatchId>, List<String>> e : nodesByPrefix.entrySet()) {
            if (e == reference) {
                continue;
            }
            List<BatchId> other = e.getKey();
            int i = 0;
            while (i < other.size() && i < ref.size() && other.get(i).equals(ref.get(i))) {
                i++;
            }
            BatchId mine = i < other.size() ? other.get(i) : null;
            BatchId theirs = i < ref.size() ? ref.get(i) : null;
            long offset = mine != null ? mine.baseOffset() : theirs.baseOffset();
            String how = "holds " + (mine == null ? "nothing" : "batch " + mine) + " where " + reference.getValue()
                    + " hold " + (theirs == null ? "nothing" : "batch " + theirs) + " (batch #" + i + " below the"
                    + " high watermark)";
            for (String node : e.getValue()) {
                out.add(new Divergence(node, offset, how));
            }
        }
        return out;
    }
}
