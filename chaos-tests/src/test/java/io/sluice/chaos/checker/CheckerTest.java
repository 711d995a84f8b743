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

/** Hand-made histories, each with one known anomaly, so a checker that cannot fail would fail here. */
@Timeout(30)
class CheckerTest {
    private static final String T = "t";
    private final AtomicLong clock = new AtomicLong();
    private final History h = new History(() -> clock.addAndGet(1_000_000));
    private final Checker checker = new Checker();

    private void ackedSend(String producer, int partition, String value, long offset) {
        h.invokeSend(producer, "n1", T, partition, value);
        h.completeSend(OpType.OK, producer, "n1", T, partition, offset, value, null);
    }

    private void poll(String consumer, int partition, long firstOffset, String... values) {
        List<Read> reads = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            reads.add(new Read(T, partition, firstOffset + i, values[i]));
        }
        h.add(OpType.INVOKE, OpKind.POLL, consumer, "n1", null, -1, -1, null, null, null);
        h.add(OpType.OK, OpKind.POLL, consumer, "n1", null, -1, -1, null, reads, null);
    }

    private void seek(String consumer, int partition, long offset) {
        h.add(OpType.OK, OpKind.SEEK, consumer, "n1", T, partition, offset, null, null, null);
    }

    private CheckResult check() {
        return checker.check(h.ops());
    }

    @Test
    void cleanHistoryHasNoAnomalies() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        ackedSend("p1", 0, "c", 2);
        seek("c1", 0, 0);
        poll("c1", 0, 0, "a", "b");
        poll("c1", 0, 2, "c");

        CheckResult result = check();

        for (Anomaly a : Anomaly.values()) {
            assertThat(result.count(a)).as(a.name()).isZero();
        }
        assertThat(result.statsByTopic().get(T).sendsOk).isEqualTo(3);
        assertThat(result.statsByTopic().get(T).recordsRead).isEqualTo(3);
    }

    @Test
    void acknowledgedValueMissingBelowAReadOffsetIsLost() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        ackedSend("p1", 0, "c", 2);
        poll("c1", 0, 0, "a");
        poll("c1", 0, 2, "c");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.LOST)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.LOST).get(0)).startsWith("b ");
        assertThat(result.count(T, Anomaly.UNSEEN)).isZero();
    }

    @Test
    void valueReadLiveButGoneFromTheFinalReadIsLost() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        poll("c1", 0, 0, "a", "b");
        poll("final", 0, 0, "x", "y");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.LOST)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.LOST).get(0)).startsWith("a ");
        assertThat(result.count(T, Anomaly.UNSEEN)).as("b at 1: the final read reached 1, not past it").isEqualTo(1);
        assertThat(result.count(T, Anomaly.INCONSISTENT_OFFSET)).isEqualTo(2);
    }

    @Test
    void acknowledgedValuePastEveryReadIsUnseen() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        poll("c1", 0, 0, "a");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.UNSEEN)).isEqualTo(1);
        assertThat(result.count(T, Anomaly.LOST)).isZero();
    }

    @Test
    void acksZeroValueIsLostWhenALaterValueOfItsProducerWasRead() {
        ackedSend("p0", 0, "a", -1);
        ackedSend("p0", 0, "b", -1);
        ackedSend("p0", 0, "c", -1);
        poll("c1", 0, 0, "a", "c");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.LOST)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.LOST).get(0)).startsWith("b ");
    }

    @Test
    void unknownAndFailedSendsAreNeverLost() {
        h.invokeSend("p1", "n1", T, 0, "x");
        h.completeSend(OpType.INFO, "p1", "n1", T, 0, -1, "x", "timeout");
        h.invokeSend("p1", "n1", T, 0, "y");
        h.completeSend(OpType.FAIL, "p1", "n1", T, 0, -1, "y", "record too large");
        ackedSend("p1", 0, "z", 5);
        poll("c1", 0, 5, "z");

        CheckResult result = check();

        assertThat(result.count(Anomaly.LOST) + result.count(Anomaly.UNSEEN)).isZero();
        assertThat(result.statsByTopic().get(T).sendsUnknown).isEqualTo(1);
        assertThat(result.statsByTopic().get(T).sendsFailed).isEqualTo(1);
    }

    @Test
    void oneValueAtTwoOffsetsIsADuplicate() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        poll("c1", 0, 0, "a", "b", "a");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.DUPLICATE)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.DUPLICATE).get(0)).startsWith("a at ");
    }

    @Test
    void twoValuesAtOneOffsetAreInconsistent() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        poll("c1", 0, 0, "a", "b");
        poll("c2", 0, 1, "c");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.INCONSISTENT_OFFSET)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.INCONSISTENT_OFFSET).get(0)).contains("t-0@1");
    }

    @Test
    void acknowledgedOffsetHoldingAnotherValueIsInconsistent() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        poll("c1", 0, 0, "a", "x");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.INCONSISTENT_OFFSET)).isEqualTo(1);
    }

    @Test
    void valuesStoredOutOfSendOrderAreReordered() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 2);
        ackedSend("p1", 0, "c", 1);
        poll("c1", 0, 0, "a", "c", "b");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.REORDERED)).isEqualTo(1);
    }

    @Test
    void differentProducersInterleavingIsNotReordering() {
        ackedSend("p1", 0, "a", 1);
        ackedSend("p2", 0, "b", 0);
        poll("c1", 0, 0, "b", "a");

        assertThat(check().count(T, Anomaly.REORDERED)).isZero();
    }

    @Test
    void committedOffsetReadBackLowerThanAcknowledgedGoesBackwards() {
        h.add(OpType.INVOKE, OpKind.COMMIT, "c1", "n1", T, 0, 10, "g", null, null);
        h.add(OpType.OK, OpKind.COMMIT, "c1", "n1", T, 0, 10, "g", null, null);
        h.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, "c1", "n1", T, 0, -1, "g", null, null);
        h.add(OpType.OK, OpKind.FETCH_COMMITTED, "c1", "n1", T, 0, 10, "g", null, null);
        h.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, "c2", "n1", T, 0, -1, "g", null, null);
        h.add(OpType.OK, OpKind.FETCH_COMMITTED, "c2", "n1", T, 0, 4, "g", null, null);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.COMMIT_BACKWARDS)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.COMMIT_BACKWARDS).get(0)).contains("committed 10 but read back 4");
    }

    @Test
    void commitStillInFlightWhenTheFetchStartedIsNotRequired() {
        h.add(OpType.INVOKE, OpKind.COMMIT, "c1", "n1", T, 0, 10, "g", null, null);
        h.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, "c2", "n1", T, 0, -1, "g", null, null);
        h.add(OpType.OK, OpKind.COMMIT, "c1", "n1", T, 0, 10, "g", null, null);
        h.add(OpType.OK, OpKind.FETCH_COMMITTED, "c2", "n1", T, 0, -1, "g", null, null);

        assertThat(check().count(T, Anomaly.COMMIT_BACKWARDS)).isZero();
    }

    /** The Kafka stand-in's COMMIT_BACKWARDS (seed 0xec6225d96b44f13a): a later, lower commit is not a loss. */
    @Test
    void aLowerOffsetWrittenByALaterCommitIsNotBackwards() {
        commit("c1", 155, OpType.OK);
        commit("c2", 109, OpType.OK);
        fetchCommitted("c3", 109);

        assertThat(check().count(T, Anomaly.COMMIT_BACKWARDS)).isZero();
    }

    @Test
    void readingAnOverwrittenCommitOrNothingAfterACommitGoesBackwards() {
        commit("c1", 4, OpType.OK);
        commit("c2", 10, OpType.OK);
        fetchCommitted("c3", 4);
        fetchCommitted("c3", -1);
        fetchCommitted("c3", 10);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.COMMIT_BACKWARDS)).isEqualTo(2);
        assertThat(result.examples(T, Anomaly.COMMIT_BACKWARDS)).allMatch(e -> e.contains("committed 10 but read back"));
    }

    @Test
    void aFailedCommitNeitherWritesNorOverwrites() {
        commit("c1", 4, OpType.OK);
        commit("c2", 10, OpType.FAIL);
        fetchCommitted("c3", 4);
        fetchCommitted("c3", 10);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.COMMIT_BACKWARDS)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.COMMIT_BACKWARDS).get(0)).contains("committed 4 but read back 10");
    }

    /**
     * Kafka's COMMIT_BACKWARDS at seed 0x13db (schedules 0x82122a9784d0deec, 0xf8804a25064ed11c): the
     * consumer's committed() timed out, its own commit was acknowledged, and the next committed()
     * returned the first call's reply ("none"), sent before any commit.
     */
    @Test
    void aReadAfterATimedOutReadIsJudgedFromTheFirstCall() {
        h.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, "c1", "n1", T, 0, -1, "g", null, null);
        h.add(OpType.FAIL, OpKind.FETCH_COMMITTED, "c1", "n1", T, 0, -1, "g", null, "TimeoutException");
        commit("c1", 10, OpType.OK);
        fetchCommitted("c1", -1);
        fetchCommitted("c1", -1);

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.COMMIT_BACKWARDS)).as("only the read after the answered one").isEqualTo(1);
        assertThat(result.examples(T, Anomaly.COMMIT_BACKWARDS).get(0)).contains("committed 10 but read back -1");
    }

    private void commit(String process, long offset, OpType outcome) {
        h.add(OpType.INVOKE, OpKind.COMMIT, process, "n1", T, 0, offset, "g", null, null);
        h.add(outcome, OpKind.COMMIT, process, "n1", T, 0, offset, "g", null, null);
    }

    private void fetchCommitted(String process, long offset) {
        h.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, process, "n1", T, 0, -1, "g", null, null);
        h.add(OpType.OK, OpKind.FETCH_COMMITTED, process, "n1", T, 0, offset, "g", null, null);
    }

    @Test
    void consumerJumpingOverExistingRecordsSkips() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        ackedSend("p1", 0, "c", 2);
        poll("c1", 0, 0, "a");
        poll("c1", 0, 2, "c");
        poll("final", 0, 0, "a", "b", "c");

        CheckResult result = check();

        assertThat(result.count(T, Anomaly.SKIPPED)).isEqualTo(1);
        assertThat(result.examples(T, Anomaly.SKIPPED).get(0)).startsWith("c1 read t-0@0 then @2");
    }

    @Test
    void seekingPastRecordsIsNotASkip() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        ackedSend("p1", 0, "c", 2);
        poll("c1", 0, 0, "a");
        seek("c1", 0, 2);
        poll("c1", 0, 2, "c");
        poll("final", 0, 0, "a", "b", "c");

        assertThat(check().count(T, Anomaly.SKIPPED)).isZero();
    }

    @Test
    void firstReadAfterASeekMustStartAtTheSeekPosition() {
        ackedSend("p1", 0, "a", 0);
        ackedSend("p1", 0, "b", 1);
        seek("c1", 0, 0);
        poll("c1", 0, 1, "b");
        poll("final", 0, 0, "a", "b");

        assertThat(check().count(T, Anomaly.SKIPPED)).isEqualTo(1);
    }
}
