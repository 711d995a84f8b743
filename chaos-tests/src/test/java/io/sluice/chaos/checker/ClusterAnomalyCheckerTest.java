package io.sluice.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.history.Read;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hand-made histories of the cluster anomalies (split brain, uncommitted reads, a group resuming
 * below its commit, divergent replicas), each beside near-misses that must not count.
 */
@Timeout(30)
class ClusterAnomalyCheckerTest {
    private static final String T = "t";
    private final AtomicLong clock = new AtomicLong();
    private final History h = new History(() -> clock.addAndGet(1_000_000));
    private final Checker checker = new Checker();

    private void ackedSend(String producer, String value, long offset) {
        h.invokeSend(producer, "cluster", T, 0, value);
        h.completeSend(OpType.OK, producer, "cluster", T, 0, offset, value, null);
    }

    /** What node {@code node}'s proxy saw: a Produce response acknowledging a batch at {@code baseOffset}. */
    private void ackSeen(String node, long baseOffset) {
        h.add(OpType.OK, OpKind.PRODUCE_ACK, "proxy", node, T, 0, baseOffset, null, null, null);
    }

    private void poll(String consumer, long firstOffset, String... values) {
        List<Read> reads = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            reads.add(new Read(T, 0, firstOffset + i, values[i]));
        }
        h.add(OpType.OK, OpKind.POLL, consumer, "cluster", null, -1, -1, null, reads, null);
    }

    private void commit(String process, long offset, OpType outcome) {
        h.add(OpType.INVOKE, OpKind.COMMIT, process, "cluster", T, 0, offset, "g", null, null);
        h.add(outcome, OpKind.COMMIT, process, "cluster", T, 0, offset, "g", null, null);
    }

    /** A committing member of group g starts partition 0 at {@code position} (recorded at assignment). */
    private void startAt(String process, long position) {
        h.add(OpType.OK, OpKind.SEEK, process, "cluster", T, 0, position, "g", null, null);
    }

    private CheckResult check() {
        return checker.check(h.ops());
    }

    // ---- split brain ----

    @Test
    void aLaterLeaderHandingOutAnOffsetAnEarlierLeaderAcknowledgedIsSplitBrain() {
        ackSeen("n1", 10);
        ackedSend("p", "a", 10);
        ackSeen("n1", 11);
        ackedSend("p", "b", 11);
        ackSeen("n2", 11); // n2 never had n1's 11
        ackedSend("p", "c", 11);
        ackSeen("n2", 12);
        ackedSend("p", "d", 12);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.SPLIT_BRAIN)).as("one episode, not one per offset").isEqualTo(1);
        assertThat(result.examples(T, Anomaly.SPLIT_BRAIN).get(0))
                .contains("n2 acknowledged base offset 11").contains("after n1 had acknowledged base offset 11");
    }

    @Test
    void aLaterLeaderBelowTheEarlierOnesHighestAcknowledgementIsSplitBrain() {
        ackSeen("n1", 10);
        ackSeen("n1", 14);
        ackSeen("n2", 12);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.SPLIT_BRAIN)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.SPLIT_BRAIN).get(0)).contains("n2 acknowledged base offset 12")
                .contains("n1 had acknowledged base offset 14");
    }

    @Test
    void bothLeadersAckingInTurnsIsTwoEpisodes() {
        ackSeen("n1", 10);
        ackSeen("n2", 5);
        ackSeen("n1", 11);
        ackSeen("n2", 6);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isEqualTo(2);
    }

    @Test
    void aCleanFailoverIsNotSplitBrain() {
        ackSeen("n1", 10);
        ackSeen("n1", 11);
        ackSeen("n2", 12); // the new leader's log end is past every acknowledged offset
        ackSeen("n2", 13);
        ackSeen("n1", 14); // and back
        ackSeen("n3", 15);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isZero();
    }

    @Test
    void aRetriedBatchAcknowledgedAgainByTheNewLeaderIsNotSplitBrain() {
        ackSeen("n1", 10);
        ackedSend("p", "a", 10);
        ackSeen("n2", 10); // the same batch, answered as a duplicate from n2's log: one value at 10
        ackedSend("p", "a", 10);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isZero();
    }

    @Test
    void equalBaseOffsetsWithTwoAcknowledgedValuesAreSplitBrain() {
        ackSeen("n1", 10);
        ackedSend("p", "a", 10);
        ackSeen("n2", 10);
        ackedSend("p", "b", 10);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isEqualTo(1);
    }

    @Test
    void oneNodeTruncatingAndReusingItsOwnOffsetsIsNotSplitBrain() {
        ackSeen("n1", 10);
        ackSeen("n1", 5);
        ackSeen("n1", 6);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isZero();
    }

    @Test
    void otherPartitionsDoNotConflict() {
        ackSeen("n1", 10);
        h.add(OpType.OK, OpKind.PRODUCE_ACK, "proxy", "n2", T, 1, 3, null, null, null);

        assertThat(check().count(T, Anomaly.SPLIT_BRAIN)).isZero();
    }

    // ---- uncommitted reads ----

    @Test
    void aReadOfAValueTheFinalReadReplacedIsUncommitted() {
        poll("c1", 0, "a", "b");
        poll("final", 0, "a", "x");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.UNCOMMITTED_READ)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.UNCOMMITTED_READ).get(0)).isEqualTo(
                "c1 read t-0@1=b (op 0); the final read holds x there");
    }

    @Test
    void aReadAboveWhereTheFinalReadEndsIsUncommitted() {
        poll("c1", 0, "a", "b", "c");
        poll("c2", 2, "c"); // the same read by another consumer counts once
        poll("final", 0, "a");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.UNCOMMITTED_READ)).isEqualTo(2);
        assertThat(result.examples(T, Anomaly.UNCOMMITTED_READ)).anyMatch(e -> e.contains("final read ends at 0"));
    }

    @Test
    void readsTheFinalReadConfirmsOrSkippedOrWithoutAFinalReadAreNotJudged() {
        poll("c1", 0, "a", "b", "c");
        poll("final", 0, "a");
        poll("final", 2, "c"); // 1 skipped (past a corrupt batch): proves nothing
        assertThat(check().count(T, Anomaly.UNCOMMITTED_READ)).isZero();

        History noFinal = new History(() -> clock.addAndGet(1));
        noFinal.add(OpType.OK, OpKind.POLL, "c1", "cluster", null, -1, -1, null, List.of(new Read(T, 0, 5, "z")), null);
        assertThat(checker.check(noFinal.ops()).count(T, Anomaly.UNCOMMITTED_READ)).isZero();
    }

    // ---- a group resuming below its committed offset ----

    @Test
    void aMemberStartingBelowTheGroupsCommitResumedBelowIt() {
        commit("g1", 40, OpType.OK);
        h.add(OpType.OK, OpKind.POLL, "g2", "cluster", null, -1, -1, null, null, null); // g2's previous op
        startAt("g2", 0); // the commit was lost when the coordinator moved: reset to the log start

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.RESUMED_BELOW_COMMIT)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.RESUMED_BELOW_COMMIT).get(0))
                .contains("g2 of group g started t-0 at 0 but the group had committed 40");
    }

    @Test
    void aLaterLowerCommitByAnotherMemberIsWhereTheGroupResumes() {
        commit("g1", 40, OpType.OK);
        commit("g2", 25, OpType.OK); // a later, lower commit overwrote 40
        h.add(OpType.OK, OpKind.POLL, "g1", "cluster", null, -1, -1, null, null, null);
        startAt("g1", 25);
        startAt("g1", 30); // above the register's value: not below it

        assertThat(check().count(T, Anomaly.RESUMED_BELOW_COMMIT)).isZero();
    }

    @Test
    void startingWhereNoCommitWasYetAcknowledgedOrACommitWasInFlightIsFine() {
        startAt("g1", 0); // nothing committed: the log start
        h.add(OpType.INVOKE, OpKind.COMMIT, "g1", "cluster", T, 0, 40, "g", null, null);
        startAt("g2", 0); // 40 in flight: "none" may still be what the group holds
        h.add(OpType.INFO, OpKind.COMMIT, "g1", "cluster", T, 0, 40, "g", null, null);
        commit("g1", 50, OpType.OK);
        h.add(OpType.OK, OpKind.POLL, "g2", "cluster", null, -1, -1, null, null, null);
        startAt("g2", 40); // 50 acknowledged after 40 began: the unknown 40 may have landed later

        assertThat(check().count(T, Anomaly.RESUMED_BELOW_COMMIT)).isZero();
    }

    @Test
    void startingBelowAnOverwrittenCommitResumedBelow() {
        commit("g1", 20, OpType.OK);
        commit("g1", 40, OpType.OK);
        h.add(OpType.OK, OpKind.POLL, "g2", "cluster", null, -1, -1, null, null, null);
        startAt("g2", 20); // 40 overwrote 20 before g2 began

        assertThat(check().count(T, Anomaly.RESUMED_BELOW_COMMIT)).isEqualTo(1);
    }

    @Test
    void seeksWithoutAGroupAreNotStartPositions() {
        commit("g1", 40, OpType.OK);
        h.add(OpType.OK, OpKind.SEEK, "final", "cluster", T, 0, 0, null, null, null);
        h.add(OpType.OK, OpKind.SEEK, "g2", "cluster", T, 0, -1, "g", null, "position unknown");

        assertThat(check().count(T, Anomaly.RESUMED_BELOW_COMMIT)).isZero();
    }

    // ---- divergent replicas ----

    @Test
    void aDivergedReplicaRecordedAfterCatchUpIsCounted() {
        h.add(OpType.OK, OpKind.REPLICA_DIVERGED, "final", "n3", T, 0, 17, "batch 17..18 crc 0x1 vs 17..17 crc 0x2",
                null, null);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.DIVERGENT_REPLICAS)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.DIVERGENT_REPLICAS).get(0)).startsWith("t-0 replica on n3 differs from offset 17");
    }
}
