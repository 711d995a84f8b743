package io.sluice.storage.log;

import io.sluice.storage.batch.RecordBatchHeader;

/** Receives stored batch headers in offset order (see {@link PartitionLog#scanBatchHeaders}). */
@FunctionalInterface
public interface BatchHeaderVisitor {
    /**
     * @param header valid only during the call (it points into a mapping)
     * @return true to continue with the next batch
     */
    boolean visit(RecordBatchHeader header);
}
