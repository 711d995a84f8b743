package io.sluice.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.chaos.net.NetworkPartition;
import io.sluice.chaos.net.NetworkPartition.Link;
import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each fault kind between nodes stands for the partition its name says. */
@Timeout(10)
class NetworkNemesisTest {

    private static NetworkPartition of(FaultKind kind, int node, int param, int nodes) {
        return NetworkNemesis.partitionFor(new FaultEvent(0, kind, node, 1_000, param), node, nodes);
    }

    @Test
    void isolateAndFlapCutTheAimedNodeOffBothWays() {
        assertThat(of(FaultKind.ISOLATE, 1, 0, 3).cuts()).containsExactlyInAnyOrder(
                new Link(1, 0), new Link(0, 1), new Link(1, 2), new Link(2, 1));
        assertThat(of(FaultKind.FLAP, 2, 500, 3).cuts()).hasSize(4).allMatch(l -> l.from() == 2 || l.to() == 2);
    }

    @Test
    void splitCutsAMinorityStartingAtTheAimedNode() {
        NetworkPartition split = of(FaultKind.SPLIT, 4, 2, 5);
        assertThat(split.description()).contains("[n1, n5]");
        assertThat(split.cuts()).hasSize(12).contains(new Link(4, 1), new Link(0, 2)).doesNotContain(new Link(4, 0));
        assertThat(of(FaultKind.SPLIT, 0, 1, 3).cuts()).hasSize(4);
    }

    @Test
    void oneWayDropsOnlyTheAimedNodesConnectionsToTheOther() {
        NetworkPartition oneWay = of(FaultKind.ONE_WAY, 0, 2, 3);
        assertThat(oneWay.cuts()).containsExactly(new Link(0, 2));
        assertThat(oneWay.twoWay()).isFalse();
        assertThat(of(FaultKind.ONE_WAY, 1, 1, 3).cuts()).as("never a link to itself").containsExactly(new Link(1, 2));
    }

    @Test
    void bridgeKeepsTheAimedNodeConnectedToBothHalves() {
        assertThat(of(FaultKind.BRIDGE, 0, 0, 3).cuts()).containsExactlyInAnyOrder(new Link(1, 2), new Link(2, 1));
    }
}
