package io.sluice.chaos.schedule;

import java.util.Locale;

/**
 * Whom a fault is aimed at. {@link #NODE} is the node the schedule names; the others are looked up
 * in the cluster when the fault starts (the nemesis asks Metadata for the leader of a workload
 * partition, DescribeQuorum for the quorum leader, FindCoordinator for the group coordinator), so
 * a replay hits the node holding the role then, whichever it is. New values go last: cluster
 * draws index this enum.
 */
public enum FaultTarget {
    NODE,
    /** The leader of the first workload partition. */
    PARTITION_LEADER,
    /** A replica of the first workload partition that is not its leader. */
    FOLLOWER,
    /** The KRaft quorum (active controller) leader. */
    QUORUM_LEADER,
    /** The coordinator of the workload's consumer group (of its first topic), as FindCoordinator names it. */
    GROUP_COORDINATOR;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
