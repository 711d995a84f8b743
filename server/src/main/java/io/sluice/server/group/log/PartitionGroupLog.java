package io.sluice.server.group.log;

import io.sluice.replication.Partition;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.log.LogReadResult;
import io.sluice.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Utils;

/**
 * {@link GroupLog} over a partition of {@code __consumer_offsets} (or {@code __share_group_state})
 * led by this broker: batches are built with kafka-clients' {@link MemoryRecordsBuilder} (v2,
 * compressed with {@code offsets.topic.compression.codec} or
 * {@code share.coordinator.state.topic.compression.codec}, none by default, as Kafka's coordinators
 * do) and appended through the partition's leader append, like a producer's. Owned by one coordinator shard; not
 * thread-safe (the coordinator thread is its only caller).
 */
public final class PartitionGroupLog implements GroupLog {

    /** Kafka's offsets.commit.timeout.ms default: how long a commit waits for the ISR to have it. */
    private static final long COMMIT_TIMEOUT_MS = 5000;

    /** Bytes read from the log per step while loading. */
    private static final int LOAD_READ_BYTES = 1024 * 1024;

    private final Partition partition;
    private final LongSupplier clockMs;
    private final Compression compression;

    /** @param compressionCodec a Kafka CompressionType id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd) */
    public PartitionGroupLog(Partition partition, LongSupplier clockMs, int compressionCodec) {
        this.partition = partition;
        this.clockMs = clockMs;
        this.compression = compression(compressionCodec);
    }

    /** The codec of a Kafka CompressionType id, at its default level. */
    public static Compression compression(int codecId) {
        return Compression.of(CompressionType.forId(codecId)).build();
    }

    public Partition partition() {
        return partition;
    }

    /**
     * This broker's current leadership of the partition, equal only to itself: the replica object
     * stays the same when leadership is lost and regained, its leader epoch does not.
     */
    public record Leadership(Partition partition, int leaderEpoch) { }

    public Leadership leadership() {
        return new Leadership(partition, partition.leaderEpoch());
    }

    @Override
    public CompletableFuture<Short> append(List<GroupRecords.Record> records) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(ErrorCode.NONE);
        }
        // acks=all: a commit is acknowledged once the ISR has it, so it survives the coordinator's failover.
        return partition.append(batch(records, clockMs.getAsLong(), compression), (short) -1, COMMIT_TIMEOUT_MS)
                .toCompletableFuture().thenApply(r -> r.errorCode());
    }

    /** The records as one v2 batch stamped {@code nowMs}, as the coordinator appends them. */
    public static ByteBuffer batch(List<GroupRecords.Record> records, long nowMs, Compression compression) {
        int estimate = 128;
        for (GroupRecords.Record r : records) {
            estimate += 32 + r.key().length + (r.value() == null ? 0 : r.value().length);
        }
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate), compression,
                TimestampType.CREATE_TIME, 0L);
        for (GroupRecords.Record r : records) {
            builder.append(nowMs, r.key(), r.value());
        }
        return builder.build().buffer();
    }

    @Override
    public void replay(Consumer<GroupRecords.Record> visitor) {
        replay(partition.log(), visitor);
    }

    /**
     * Feeds every keyed record of {@code log} from its start to its end, in offset order. A compacted
     * log has offset gaps (a read from an offset the cleaner removed starts at the next batch kept).
     */
    public static void replay(PartitionLog log, Consumer<GroupRecords.Record> visitor) {
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            try (LogReadResult read = log.read(offset, LOAD_READ_BYTES, true)) {
                if (read.errorCode() != ErrorCode.NONE) {
                    throw new IllegalStateException("reading " + log.topicPartition() + " at " + offset
                            + " failed with error " + read.errorCode());
                }
                if (read.sizeInBytes() == 0) {
                    return;
                }
                MemoryRecords records = MemoryRecords.readableRecords(read.records().duplicate());
                for (RecordBatch batch : records.batches()) {
                    for (var r : batch) {
                        if (r.offset() < offset || !r.hasKey()) {
                            continue;
                        }
                        visitor.accept(new GroupRecords.Record(Utils.toArray(r.key()),
                                r.hasValue() ? Utils.toArray(r.value()) : null));
                    }
                }
                offset = Math.max(offset + 1, read.nextOffset());
            }
        }
    }
}
