package io.sluice.server.group.share;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Combining a share-partition's persisted runs with a write's (Kafka's PersisterStateBatchCombiner
 * semantics): a write may carry only the runs that changed, so each offset at or above the new
 * start offset takes the write's state where the write covers it (its last run covering it, when
 * its runs overlap) and keeps the stored one elsewhere; runs below the start offset are done and
 * dropped. Adjacent runs with the same state and delivery count are joined. Stateless.
 */
final class StateBatches {

    private StateBatches() { }

    static List<SharePartition.StateBatch> merge(List<SharePartition.StateBatch> stored,
                                                 List<SharePartition.StateBatch> written, long startOffset) {
        // Each written run over what is there so far, in request order: a later run wins where
        // written runs overlap (Kafka accepts overlapping runs in a write).
        List<SharePartition.StateBatch> out = new ArrayList<>(stored);
        for (SharePartition.StateBatch w : written) {
            List<SharePartition.StateBatch> next = new ArrayList<>();
            for (SharePartition.StateBatch b : out) {
                next.addAll(uncovered(b, List.of(w)));
            }
            next.add(w);
            out = next;
        }
        out.sort(Comparator.comparingLong(SharePartition.StateBatch::firstOffset));
        List<SharePartition.StateBatch> joined = new ArrayList<>();
        for (SharePartition.StateBatch b : out) {
            if (b.lastOffset() < startOffset) {
                continue;
            }
            b = new SharePartition.StateBatch(Math.max(b.firstOffset(), startOffset), b.lastOffset(), b.state(),
                    b.deliveryCount());
            SharePartition.StateBatch last = joined.isEmpty() ? null : joined.get(joined.size() - 1);
            if (last != null && last.lastOffset() + 1 == b.firstOffset() && last.state() == b.state()
                    && last.deliveryCount() == b.deliveryCount()) {
                joined.set(joined.size() - 1, new SharePartition.StateBatch(last.firstOffset(), b.lastOffset(),
                        b.state(), b.deliveryCount()));
            } else {
                joined.add(b);
            }
        }
        return joined;
    }

    /** The parts of {@code b} no written run covers ({@code written} sorted by first offset). */
    private static List<SharePartition.StateBatch> uncovered(SharePartition.StateBatch b,
                                                             List<SharePartition.StateBatch> written) {
        List<SharePartition.StateBatch> parts = new ArrayList<>();
        long from = b.firstOffset();
        for (SharePartition.StateBatch w : written) {
            if (w.lastOffset() < from || w.firstOffset() > b.lastOffset()) {
                continue;
            }
            if (w.firstOffset() > from) {
                parts.add(new SharePartition.StateBatch(from, w.firstOffset() - 1, b.state(), b.deliveryCount()));
            }
            from = Math.max(from, w.lastOffset() + 1);
        }
        if (from <= b.lastOffset()) {
            parts.add(new SharePartition.StateBatch(from, b.lastOffset(), b.state(), b.deliveryCount()));
        }
        return parts;
    }
}
