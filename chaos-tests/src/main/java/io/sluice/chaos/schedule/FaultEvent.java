package io.sluice.chaos.schedule;

/**
 * One fault in a schedule. Immutable.
 *
 * @param atMs       when it starts, from the start of the workload
 * @param kind       what it is
 * @param node       index of the target node (0 on a single node); where the fault is aimed at a
 *                   role, the node used if the cluster cannot say who holds it
 * @param durationMs how long it lasts (down time for kill/power loss, hold time otherwise)
 * @param param      kind-specific: delay ms (SLOW), garbage bytes max (POWER_LOSS), bytes to flip
 *                   (CORRUPT), connections (FUZZ), minority size (SPLIT), the other node's
 *                   index (ONE_WAY: node -> param dropped), period ms (FLAP); 0 otherwise
 * @param target     whom it is aimed at ({@link FaultTarget#NODE}: {@code node} itself)
 */
public record FaultEvent(int atMs, FaultKind kind, int node, int durationMs, int param, FaultTarget target) {
    /** A fault at the named node. */
    public FaultEvent(int atMs, FaultKind kind, int node, int durationMs, int param) {
        this(atMs, kind, node, durationMs, param, FaultTarget.NODE);
    }

    @Override
    public String toString() {
        return "@" + atMs + "ms " + kind.cliName() + " " + (target == FaultTarget.NODE ? "" : target.cliName() + "/")
                + "n" + (node + 1) + " for " + durationMs + "ms" + (param != 0 ? " (" + param + ")" : "");
    }
}
