package io.sluice.server.group.lag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Burrow's rules over a window of 3 commits, one per second unless a test says otherwise. */
class CommitWindowTest {

    private static CommitWindow commits(long[] offsets, long[] lags) {
        CommitWindow w = new CommitWindow(3);
        for (int i = 0; i < offsets.length; i++) {
            w.record(offsets[i], lags[i], 1000L * i);
        }
        return w;
    }

    @Test
    void aWindowNotYetFullIsOk() {
        assertThat(commits(new long[] {10, 10}, new long[] {5, 9}).evaluate(2000, 9)).isEqualTo(LagStatus.OK);
    }

    @Test
    void zeroLagAtAnyCommitOrNowIsOk() {
        assertThat(commits(new long[] {10, 20, 30}, new long[] {5, 0, 9}).evaluate(2500, 9)).isEqualTo(LagStatus.OK);
        assertThat(commits(new long[] {10, 20, 30}, new long[] {5, 7, 9}).evaluate(2500, 0)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aGroupCaughtUpOnceThatStopsCommittingWhileRecordsArriveIsStopped() {
        assertThat(commits(new long[] {10, 20, 30}, new long[] {0, 0, 0}).evaluate(4001, 9)).isEqualTo(LagStatus.STOPPED);
    }

    @Test
    void anOffsetGoingBackwardsIsAnError() {
        assertThat(commits(new long[] {30, 10, 20}, new long[] {5, 7, 9}).evaluate(2500, 9)).isEqualTo(LagStatus.ERROR);
    }

    @Test
    void noCommitForLongerThanTheWindowSpansIsStopped() {
        CommitWindow w = commits(new long[] {10, 20, 30}, new long[] {9, 7, 5});
        assertThat(w.evaluate(4000, 5)).as("2 s after the last commit, the window spans 2 s").isEqualTo(LagStatus.OK);
        assertThat(w.evaluate(4001, 5)).isEqualTo(LagStatus.STOPPED);
    }

    @Test
    void committingTheSameOffsetWithLagIsStalled() {
        assertThat(commits(new long[] {10, 10, 10}, new long[] {5, 5, 8}).evaluate(2500, 8)).isEqualTo(LagStatus.STALLED);
    }

    @Test
    void movingWhileTheLagGrowsAtEveryCommitIsAWarning() {
        assertThat(commits(new long[] {10, 20, 30}, new long[] {5, 6, 6}).evaluate(2500, 7)).isEqualTo(LagStatus.WARNING);
    }

    @Test
    void movingWithTheLagFallingOnceIsOk() {
        assertThat(commits(new long[] {10, 20, 30}, new long[] {5, 4, 6}).evaluate(2500, 7)).isEqualTo(LagStatus.OK);
    }

    @Test
    void theWindowKeepsOnlyTheLastCommits() {
        CommitWindow w = commits(new long[] {10, 10, 10}, new long[] {5, 5, 5});
        w.record(40, 2, 3000);
        assertThat(w.evaluate(3500, 2)).as("10, 10, 40 moved; lag fell").isEqualTo(LagStatus.OK);
        assertThat(w.lastOffset()).isEqualTo(40);
        assertThat(w.lastCommitMs()).isEqualTo(3000);
    }

    @Test
    void anUnknownEndCountsAsCaughtUp() {
        assertThat(commits(new long[] {10, 10, 10}, new long[] {5, -1, 5}).evaluate(2500, 5)).isEqualTo(LagStatus.OK);
    }

    @Test
    void aWindowOfOneCommitIsRefused() {
        assertThatThrownBy(() -> new CommitWindow(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
