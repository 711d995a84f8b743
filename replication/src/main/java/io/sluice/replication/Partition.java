package io.sluice.replication;

import io.sluice.replication.fetcher.FollowerReplica;
import io.sluice.replication.producer.ProducerStateTable;
import io.sluice.replication.role.FollowerRole;
import io.sluice.replication.role.LeaderRole;
import io.sluice.replication.role.ReplicaRole;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.batch.RecordBatchHeader;
import io.sluice.storage.log.AppendResult;
import io.sluice.storage.log.EpochEndOffset;
import io.sluice.storage.log.LogReadResult;
import io.sluice.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition replica on this broker: its log, idempotent-producer state, high watermark and
 * role ({@link LeaderRole} or {@link FollowerRole}, replaced by the {@link ReplicaManager} when the
 * quorum moves leadership). As leader it takes produced batches and serves follower and consumer
 * fetches; as follower its fetcher appends the leader's batches byte for byte, and it serves
 * consumer fetches up to the high watermark it learned from the leader (KIP-392).
 *
 * <p>The high watermark starts where it was last checkpointed ({@link HighWatermarkCheckpoints}) and
 * only moves forward, but for a follower's truncation below it. Appends, truncations and role
 * changes are serialised by the partition's lock (producer check, log append and state update must
 * be atomic); reads go to the log without it. Thread-safe.
 *
 * <p>It is past the house's ~400 lines because everything that must hold the partition's lock
 * together (producer-state check, append, high watermark, truncation, role change) lives here; the
 * roles themselves and the fetchers are already their own classes.
 */
public final class Partition implements FollowerReplica {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    /** Told after each append and high-watermark move, outside the lock (wakes parked fetches). Must not block. */
    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(Partition partition);
    }

    /**
     * Outcome of a leader append; offsets are those of the stored (or originally stored) batch.
     * {@code errorMessage} says why a batch was refused where the code alone does not (a record fault).
     */
    public record Append(short errorCode, long baseOffset, long lastOffset, long logAppendTimeMs,
                         long logStartOffset, boolean duplicate, String errorMessage) {
        static Append error(short code, long logStartOffset) {
            return error(code, logStartOffset, null);
        }

        static Append error(short code, long logStartOffset, String errorMessage) {
            return new Append(code, -1, -1, -1, logStartOffset, false, errorMessage);
        }

        Append withError(short code) {
            return code == ErrorCode.NONE ? this : error(code, logStartOffset);
        }
    }

    private final TopicPartitionId id;
    private final UUID topicId;
    private final PartitionLog log;
    private final ProducerStateTable producers = new ProducerStateTable();
    private final RecordBatchHeader header = new RecordBatchHeader();
    private final AtomicLong appendedBytes = new AtomicLong();
    private final CommittedBytes committedBytes = new CommittedBytes();
    private final DelayedProduces delayedProduces;
    private final Set<ProgressListener> listeners = ConcurrentHashMap.newKeySet();
    private volatile ReplicaRole role;
    private volatile int minInsyncReplicas = 1;
    private volatile long highWatermark;
    /**
     * The log end offset as of the last append that has returned, its flush included. The log's own
     * end moves inside the append, before a {@code flush.messages} flush; publishing only this keeps
     * readers from seeing a record that a power loss could still take back (Kafka, too, advances
     * the high watermark after the append call). Written under the partition lock.
     */
    private volatile long publishedEnd;

    Partition(TopicPartitionId id, UUID topicId, PartitionLog log, ReplicaRole role, DelayedProduces delayedProduces) {
        this(id, topicId, log, role, delayedProduces, HighWatermarkCheckpoints.NONE);
    }

    /**
     * @param checkpointedHighWatermark the high watermark this log had when last checkpointed
     *                                  ({@code replication-offset-checkpoint}), or -1 if unknown
     */
    Partition(TopicPartitionId id, UUID topicId, PartitionLog log, ReplicaRole role, DelayedProduces delayedProduces,
              long checkpointedHighWatermark) {
        this.id = id;
        this.topicId = topicId;
        this.log = log;
        this.role = role;
        this.delayedProduces = delayedProduces;
        this.publishedEnd = log.logEndOffset();
        this.highWatermark = initialHighWatermark(log, checkpointedHighWatermark);
    }

    /**
     * Kafka's rule: what was committed when the checkpoint was written is committed still, as far as
     * this log holds it (a crash may have cut the tail below it); nothing below the log start. Without
     * a checkpoint nothing is known committed until the ISR (or the leader) confirms it.
     */
    static long initialHighWatermark(PartitionLog log, long checkpointedHighWatermark) {
        long hw = Math.min(checkpointedHighWatermark, log.logEndOffset());
        return Math.max(hw, log.logStartOffset());
    }

    /**
     * Rebuilds the producer state from the stored batch headers written in the last
     * {@code producerIdExpirationMs} (Kafka forgets producers idle that long, so older batches
     * cannot matter); the scan reads headers only and is bounded by that window, not by the log.
     */
    void loadProducerState(long nowMs, long producerIdExpirationMs) {
        synchronized (this) {
            // By batch, not by record: a cleaned producer's last batch is an empty header, and must be seen.
            long from = log.firstBatchOffsetAtOrAfter(Math.max(0, nowMs - producerIdExpirationMs));
            log.scanBatchHeaders(from, stored -> {
                producers.update(stored);
                return true;
            });
        }
    }

    /**
     * Leads the partition at {@code epoch}: a new epoch starts at the log end (recorded in the
     * leader-epoch cache before the first append); the same epoch only takes the quorum's ISR.
     */
    void becomeLeader(int leaderId, int epoch, int partitionEpoch, int[] replicas, int[] isr, long nowMs) {
        synchronized (this) {
            if (role instanceof LeaderRole leader && leader.leaderEpoch() == epoch) {
                isrCommitted(leader, isr, partitionEpoch);
                return;
            } else {
                if (log.latestEpoch() < epoch) {
                    log.assignEpochStartOffset(epoch, log.logEndOffset());
                }
                role = new LeaderRole(leaderId, epoch, partitionEpoch, log.logEndOffset(), replicas, isr, nowMs);
                LOG.info("{}: leader at epoch {} (log end {}, high watermark {}, isr {})", id, epoch,
                        log.logEndOffset(), highWatermark, Arrays.toString(isr));
            }
        }
        maybeAdvanceHighWatermark();
    }

    /** Follows {@code leaderId} at {@code epoch}; acks=all waiters of an earlier leadership are answered. */
    void becomeFollower(int leaderId, int epoch) {
        boolean wasLeader;
        synchronized (this) {
            wasLeader = role instanceof LeaderRole;
            role = new FollowerRole(leaderId, epoch);
        }
        if (wasLeader) {
            LOG.info("{}: follower of {} at epoch {} (log end {})", id, leaderId, epoch, log.logEndOffset());
        }
        delayedProduces.failAll(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }

    /**
     * The quorum committed a new ISR for this leadership. If it fell below min.insync.replicas, the
     * acks=all appends still waiting cannot complete: they get NOT_ENOUGH_REPLICAS_AFTER_APPEND.
     */
    void isrCommitted(LeaderRole leader, int[] isr, int partitionEpoch) {
        leader.onIsrCommitted(isr, partitionEpoch);
        maybeAdvanceHighWatermark();
        if (leader.isrSize() < minInsyncReplicas) {
            delayedProduces.failAll(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        }
    }

    void setMinInsyncReplicas(int minInsyncReplicas) {
        this.minInsyncReplicas = minInsyncReplicas;
        maybeAdvanceHighWatermark();
    }

    /**
     * Appends one produced batch as leader and completes per {@code acks}: 0 and 1 at once after the
     * append, -1 once the high watermark passed the batch (REQUEST_TIMED_OUT after {@code timeoutMs}).
     * acks=-1 is refused with NOT_ENOUGH_REPLICAS before the append when the ISR is smaller than
     * min.insync.replicas. The buffer is not modified.
     */
    public CompletionStage<Append> append(ByteBuffer batch, short acks, long timeoutMs) {
        if (!(role instanceof LeaderRole leader)) {
            return CompletableFuture.completedFuture(Append.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, log.logStartOffset()));
        }
        if (acks == -1 && leader.isrSize() < minInsyncReplicas) {
            return CompletableFuture.completedFuture(Append.error(ErrorCode.NOT_ENOUGH_REPLICAS, log.logStartOffset()));
        }
        Append a = appendAsLeader(batch);
        if (acks != -1 || a.errorCode() != ErrorCode.NONE || highWatermark > a.lastOffset()) {
            return CompletableFuture.completedFuture(a);
        }
        CompletableFuture<Short> replicated = delayedProduces.await(a.lastOffset(), timeoutMs);
        maybeAdvanceHighWatermark(); // the high watermark may have passed the batch before the waiter was queued
        return replicated.thenApply(a::withError);
    }

    /** The leader append itself (acks=1 semantics), checking the idempotent producer's sequence first. */
    Append appendAsLeader(ByteBuffer batch) {
        Append result;
        synchronized (this) {
            if (!(role instanceof LeaderRole leader)) {
                return Append.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, log.logStartOffset());
            }
            result = appendLocked(batch, leader.leaderEpoch());
            if (result.errorCode == ErrorCode.NONE && !result.duplicate) {
                publishedEnd = log.logEndOffset();
                committedBytes.onAppend(publishedEnd, appendedBytes.addAndGet(batch.remaining()));
            }
        }
        if (result.errorCode == ErrorCode.NONE && !result.duplicate) {
            maybeAdvanceHighWatermark();
            notifyListeners();
        }
        return result;
    }

    private Append appendLocked(ByteBuffer batch, int leaderEpoch) {
        if (batch.remaining() < RecordBatchDescriptor.HEADER_LENGTH) {
            return Append.error(ErrorCode.CORRUPT_MESSAGE, log.logStartOffset());
        }
        RecordBatchHeader h = header.wrap(batch, batch.position());
        if (h.magic() != RecordBatchDescriptor.MAGIC_V2) {
            // Kafka's ProduceRequest.validateRecords: v3+ produce requests carry magic 2 only.
            return Append.error(ErrorCode.INVALID_RECORD, log.logStartOffset());
        }
        if (h.isTransactional()) {
            // Transactions come with their own issue; Kafka also refuses them without a coordinator.
            return Append.error(ErrorCode.INVALID_TXN_STATE, log.logStartOffset());
        }
        long pid = h.producerId();
        short epoch = h.producerEpoch();
        int firstSeq = h.baseSequence();
        int lastSeq = h.lastSequence();
        if (pid != ProducerStateTable.NO_PRODUCER_ID) {
            ProducerStateTable.Check check = producers.check(pid, epoch, firstSeq, lastSeq);
            if (check.errorCode() != ErrorCode.NONE) {
                return Append.error(check.errorCode(), log.logStartOffset());
            }
            if (check.isDuplicate()) {
                ProducerStateTable.BatchMetadata d = check.duplicate();
                return new Append(ErrorCode.NONE, d.firstOffset(), d.lastOffset(), -1, log.logStartOffset(), true, null);
            }
        }
        AppendResult r = log.append(batch, leaderEpoch);
        if (!r.isSuccess()) {
            return Append.error(r.errorCode(), r.logStartOffset(), r.errorMessage());
        }
        if (pid != ProducerStateTable.NO_PRODUCER_ID) {
            producers.update(pid, epoch, firstSeq, lastSeq, r.firstOffset(), r.lastOffset());
        }
        return new Append(ErrorCode.NONE, r.firstOffset(), r.lastOffset(), r.logAppendTimeMs(), r.logStartOffset(), false,
                null);
    }

    /**
     * A follower fetched from {@code fetchOffset} (it has everything below it; its log starts at
     * {@code followerLogStartOffset}): the leader records its progress and may advance the high
     * watermark. Returns false when this broker does not lead the partition any more.
     */
    public boolean recordFollowerFetch(int replicaId, long brokerEpoch, long fetchOffset, long followerLogStartOffset,
                                       long nowMs) {
        if (!(role instanceof LeaderRole leader)) {
            return false;
        }
        leader.recordFetch(replicaId, brokerEpoch, fetchOffset, followerLogStartOffset, publishedEnd, nowMs);
        maybeAdvanceHighWatermark();
        return true;
    }

    /** Moves the leader's high watermark to what the ISR has, and completes what that committed. */
    void maybeAdvanceHighWatermark() {
        long next;
        synchronized (this) {
            if (!(role instanceof LeaderRole leader)) {
                return;
            }
            long bound = leader.highWatermarkBound(publishedEnd, minInsyncReplicas);
            if (bound <= highWatermark) {
                return;
            }
            highWatermark = bound;
            committedBytes.onHighWatermark(bound);
            next = bound;
        }
        delayedProduces.onHighWatermark(next);
        notifyListeners();
    }

    // ---- FollowerReplica: called by this partition's replica fetcher ----

    @Override
    public TopicPartitionId topicPartition() {
        return id;
    }

    @Override
    public int lastFetchedEpoch() {
        return log.latestEpoch();
    }

    @Override
    public short appendFromLeader(ByteBuffer batches, long leaderHighWatermark, long leaderLogStartOffset) {
        synchronized (this) {
            if (!(role instanceof FollowerRole)) {
                return ErrorCode.NOT_LEADER_OR_FOLLOWER;
            }
            if (batches.hasRemaining()) {
                AppendResult r = log.appendAsFollower(batches);
                if (!r.isSuccess()) {
                    LOG.warn("{}: follower append of {} bytes failed: error {}", id, batches.remaining(),
                            ErrorCode.name(r.errorCode()));
                    return r.errorCode();
                }
                log.scanBatchHeaders(r.firstOffset(), stored -> {
                    producers.update(stored);
                    return true;
                });
                publishedEnd = log.logEndOffset();
                committedBytes.onAppend(publishedEnd, appendedBytes.addAndGet(batches.remaining()));
            }
            if (leaderLogStartOffset > log.logStartOffset() && leaderLogStartOffset <= log.logEndOffset()) {
                log.deleteRecords(leaderLogStartOffset);
            }
            long hw = Math.min(leaderHighWatermark, publishedEnd);
            if (hw > highWatermark) {
                highWatermark = hw;
                committedBytes.onHighWatermark(hw);
            }
        }
        notifyListeners();
        return ErrorCode.NONE;
    }

    @Override
    public void truncateToDivergence(int divergingEpoch, long divergingEndOffset) {
        synchronized (this) {
            EpochEndOffset own = log.endOffsetForEpoch(divergingEpoch);
            long to = own.epoch() == divergingEpoch ? Math.min(divergingEndOffset, own.endOffset())
                    : own.endOffset();
            if (to < 0) {
                to = Math.min(divergingEndOffset, log.logEndOffset());
            }
            truncateLocked(to, "diverging epoch " + divergingEpoch + " ends at " + divergingEndOffset + " on the leader");
        }
    }

    @Override
    public void truncateTo(long offset) {
        synchronized (this) {
            truncateLocked(offset, "the leader's log ends there");
        }
    }

    private void truncateLocked(long offset, String why) {
        if (offset >= log.logEndOffset()) {
            return;
        }
        if (offset < highWatermark) {
            // Committed data is never truncated by a correct leader; say so loudly if it happens (unclean election).
            LOG.warn("{}: truncating below the high watermark {} to {} ({})", id, highWatermark, offset, why);
        }
        long end = log.truncateTo(offset);
        producers.truncateFrom(end);
        publishedEnd = end;
        // As Kafka: the high watermark follows the cut, or the log growing back from another leader
        // would be exposed up to the old mark before that leader says it is committed.
        highWatermark = Math.min(highWatermark, end);
        LOG.info("{}: truncated to {} ({})", id, end, why);
    }

    @Override
    public void truncateFullyAndStartAt(long offset) {
        synchronized (this) {
            log.truncateFullyAndStartAt(offset);
            producers.truncateFrom(0);
            publishedEnd = offset;
            highWatermark = offset;
            LOG.info("{}: emptied and restarted at the leader's log start {}", id, offset);
        }
    }

    private void notifyListeners() {
        for (ProgressListener l : listeners) {
            l.onProgress(this);
        }
    }

    // ---- reads ----

    public TopicPartitionId id() {
        return id;
    }

    public String topic() {
        return id.topic();
    }

    public int partition() {
        return id.partition();
    }

    @Override
    public UUID topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    /**
     * A consumer's read, leader or follower alike: whole batches from {@code offset}, none at or past
     * this replica's high watermark (a follower's is the one it last learned from its leader, so it
     * never serves what the ISR has not committed). At or past the high watermark but within the log
     * the result is empty, to be waited on; below the log start or past the log end it is
     * OFFSET_OUT_OF_RANGE (Kafka's rules for the high-watermark isolation level).
     */
    public LogReadResult readCommitted(long offset, int maxBytes, boolean minOneMessage) {
        return log.read(offset, maxBytes, minOneMessage, highWatermark());
    }

    /** A follower replica's read: up to this leader's published log end (appended and flushed as configured). */
    public LogReadResult readForFollower(long offset, int maxBytes, boolean minOneMessage) {
        return log.read(offset, maxBytes, minOneMessage, logEndOffset());
    }

    /** The end offset of {@code epoch} in this log (KIP-320: where a follower's log leaves this one's). */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return log.endOffsetForEpoch(epoch);
    }

    public ReplicaRole role() {
        return role;
    }

    public boolean isLeader() {
        return role instanceof LeaderRole;
    }

    @Override
    public int leaderEpoch() {
        return role.leaderEpoch();
    }

    @Override
    public long logEndOffset() {
        return Math.min(publishedEnd, log.logEndOffset());
    }

    @Override
    public long logStartOffset() {
        return log.logStartOffset();
    }

    /**
     * The end of what consumers may see: what every in-sync replica has. Never moves back, except
     * when a follower truncates below it (a leader elected uncleanly, or a crash that cut committed
     * records from a log that was not flushed).
     */
    public long highWatermark() {
        return Math.min(highWatermark, logEndOffset());
    }

    /** Bytes appended since the broker started (monotonic; parked follower fetches measure new data with it). */
    public long appendedBytes() {
        return appendedBytes.get();
    }

    /** Bytes appended and below the high watermark (monotonic; parked consumer fetches measure with it). */
    public long committedBytes() {
        return committedBytes.committed();
    }

    public void addProgressListener(ProgressListener l) {
        listeners.add(l);
    }

    public void removeProgressListener(ProgressListener l) {
        listeners.remove(l);
    }

    @Override
    public String toString() {
        return "Partition{" + id + " " + role + "}";
    }
}
