package io.sluice.chaos.checker;

import io.sluice.chaos.history.Op;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Committed offsets as a register per (group, partition): a read must return the value of a commit
 * that was not yet overwritten when the read began. A commit is overwritten once another
 * acknowledged commit started after it was acknowledged and was itself acknowledged before the
 * read began. So a read lower than the highest commit is fine when a later commit wrote it (a group
 * member after a rebalance, or another assign() consumer of the same group, commits its own
 * position); what is flagged as {@link Anomaly#COMMIT_BACKWARDS} is a read of an overwritten value,
 * or of no offset at all after an acknowledged commit: a commit the broker lost. A failed commit
 * wrote nothing; one with an unknown outcome may have written its value at any time after it began.
 * A read that failed (timed out) still counts as begun: kafka-clients' classic consumer keeps its
 * OffsetFetch in flight and hands that reply to the next {@code committed()} of the same
 * partitions, so the next read of that consumer is judged from the failed one's start.
 * Time is the history's recording order.
 *
 * <p>The same register judges where a committing consumer starts a partition: a {@link OpKind#SEEK}
 * naming its group (recorded at assignment, with the position the consumer resumed from) must not
 * be below every commit that could be read then: the initial "none" while no commit was
 * acknowledged (the consumer then starts at the log start), else some commit not yet overwritten,
 * in flight, or of unknown outcome, at or below the position. The committed offsets are fetched
 * after the consumer's previous recorded op, so that op bounds when the read began. A position
 * below all of them is {@link Anomaly#RESUMED_BELOW_COMMIT}: the group resumed below its committed
 * offset (a commit lost when the coordinator moved, or a reset to the log start). Stateless.
 */
final class CommittedOffsetCheck {
    private static final long NEVER = Long.MAX_VALUE;

    /** One commit of one partition: its offset and when it began and was acknowledged. */
    private static final class Commit {
        final long offset;
        final long invokedAt;
        long acknowledgedAt = NEVER;

        Commit(long offset, long invokedAt) {
            this.offset = offset;
            this.invokedAt = invokedAt;
        }
    }

    private CommittedOffsetCheck() { }

    static void check(CheckResult result, List<Op> history) {
        Map<String, List<Commit>> commitsByKey = new HashMap<>();
        Map<String, Commit> pendingCommit = new HashMap<>();
        Map<String, Long> pendingReadSince = new HashMap<>();
        Map<String, Long> previousOpOfProcess = new HashMap<>();
        for (Op op : history) {
            Long previous = previousOpOfProcess.put(op.process(), op.index());
            if (op.kind() == OpKind.SEEK && op.value() != null && op.offset() >= 0 && op.error() == null) {
                String key = op.value() + "|" + op.topic() + "|" + op.partition();
                long readSince = previous == null ? op.index() : previous + 1;
                List<Commit> commits = commitsByKey.getOrDefault(key, List.of());
                if (!startable(commits, op.offset(), readSince)) {
                    result.record(op.topic(), Anomaly.RESUMED_BELOW_COMMIT, op.process() + " of group " + op.value()
                            + " started " + op.topic() + "-" + op.partition() + " at " + op.offset() + " but the group"
                            + " had committed " + lastAcknowledged(commits, readSince) + " (op " + op.index() + ")");
                }
                continue;
            }
            if (op.kind() != OpKind.COMMIT && op.kind() != OpKind.FETCH_COMMITTED) {
                continue;
            }
            String key = op.value() + "|" + op.topic() + "|" + op.partition();
            String processKey = op.process() + "|" + key;
            if (op.kind() == OpKind.COMMIT) {
                if (op.type() == OpType.INVOKE) {
                    Commit c = new Commit(op.offset(), op.index());
                    pendingCommit.put(processKey, c);
                    commitsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                } else {
                    Commit c = pendingCommit.remove(processKey);
                    if (c != null && op.type() == OpType.OK) {
                        c.acknowledgedAt = op.index();
                    } else if (c != null && op.type() == OpType.FAIL) {
                        commitsByKey.get(key).remove(c);
                    }
                }
            } else if (op.type() == OpType.INVOKE) {
                // After a read that timed out, the client may still answer the next call with that
                // first request's reply, so the read began at the first of them.
                pendingReadSince.putIfAbsent(processKey, op.index());
            } else if (op.type() == OpType.OK) {
                Long pending = pendingReadSince.remove(processKey);
                long readSince = pending == null ? op.index() : pending;
                List<Commit> commits = commitsByKey.getOrDefault(key, List.of());
                if (!readable(commits, op.offset(), readSince)) {
                    result.record(op.topic(), Anomaly.COMMIT_BACKWARDS, "group " + op.value() + " " + op.topic() + "-"
                            + op.partition() + " committed " + lastAcknowledged(commits, readSince)
                            + " but read back " + op.offset() + " (op " + op.index() + ")");
                }
            }
        }
    }

    /** Whether some commit of {@code offset} (-1: the initial "none") was not overwritten before {@code readSince}. */
    private static boolean readable(List<Commit> commits, long offset, long readSince) {
        if (offset < 0 && !overwritten(commits, -1, readSince)) {
            return true;
        }
        for (Commit c : commits) {
            if (c.offset == offset && !overwritten(commits, c.acknowledgedAt, readSince)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some value readable since {@code readSince} (the initial "none", or a commit) is at or below {@code position}. */
    private static boolean startable(List<Commit> commits, long position, long readSince) {
        if (!overwritten(commits, -1, readSince)) {
            return true;
        }
        for (Commit c : commits) {
            if (c.offset <= position && !overwritten(commits, c.acknowledgedAt, readSince)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overwritten(List<Commit> commits, long acknowledgedAt, long readSince) {
        if (acknowledgedAt == NEVER) {
            return false;
        }
        for (Commit later : commits) {
            if (later.invokedAt > acknowledgedAt && later.acknowledgedAt < readSince) {
                return true;
            }
        }
        return false;
    }

    private static long lastAcknowledged(List<Commit> commits, long before) {
        Commit last = null;
        for (Commit c : commits) {
            if (c.acknowledgedAt < before && (last == null || c.acknowledgedAt > last.acknowledgedAt)) {
                last = c;
            }
        }
        return last == null ? -1 : last.offset;
    }
}
