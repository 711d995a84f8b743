package io.sluice.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.schedule.FaultKind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Recovery per fault is read off a hand-made history: fault ops and acknowledged acks=all sends. */
@Timeout(10)
class RecoveryFiguresTest {
    private long nowMs;
    private final History history = new History(() -> nowMs * 1_000_000L);

    private void at(long ms) {
        nowMs = ms;
    }

    @Test
    void countsFromTheFaultsStartAndHealToTheFirstAcknowledgedAcksAllWriteInvokedAfterThem() {
        at(0);
        history.invokeSend("p", "cluster", "acksall", 0, "v0");
        at(1);
        history.completeSend(OpType.OK, "p", "cluster", "acksall", 0, 0, "v0", null);
        at(5);
        history.invokeSend("p", "cluster", "acksall", 0, "early"); // in flight when the fault strikes: not counted
        at(10);
        int before = history.size();
        history.nemesis(OpType.INVOKE, "n1,n2", "@10ms kill n1 for 20ms (2 nodes)");
        at(11);
        history.invokeSend("p", "cluster", "acksall", 1, "v1");
        at(12);
        history.invokeSend("q", "cluster", "acks1", 0, "w1");
        at(13);
        history.completeSend(OpType.OK, "q", "cluster", "acks1", 0, 5, "w1", null); // not acks=all
        at(15);
        history.completeSend(OpType.OK, "p", "cluster", "acksall", 0, 1, "early", null);
        at(20);
        history.completeSend(OpType.INFO, "p", "cluster", "acksall", 1, -1, "v1", "timeout"); // unknown: no ack
        at(30);
        history.nemesis(OpType.OK, "n1,n2", "@10ms kill n1 for 20ms (2 nodes)");
        RecoveryFigures.Window kill = RecoveryFigures.Window.of(FaultKind.KILL,
                history.ops().subList(before, history.size()));
        at(31);
        history.invokeSend("p", "cluster", "acksall", 0, "v3");
        at(45);
        history.completeSend(OpType.OK, "p", "cluster", "acksall", 0, 2, "v3", null);
        at(50);
        int beforePause = history.size();
        history.nemesis(OpType.INVOKE, "n3", "@50ms pause n3 for 10ms");
        at(60);
        history.nemesis(OpType.OK, "n3", "@50ms pause n3 for 10ms");
        RecoveryFigures.Window pause = RecoveryFigures.Window.of(FaultKind.PAUSE,
                history.ops().subList(beforePause, history.size()));

        assertThat(kill).isEqualTo(new RecoveryFigures.Window(FaultKind.KILL, 10_000_000L, 30_000_000L));
        assertThat(RecoveryFigures.of(history.ops(), Set.of("acksall"), List.of(kill, pause))).containsExactly(
                new RecoveryFigures.Recovery(FaultKind.KILL, 35, 15),
                new RecoveryFigures.Recovery(FaultKind.PAUSE, -1, -1));
    }
}
