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
 *                   index (ONE_WAY: node -> param dropped), period ms (FLAP), nodes hit at once
 *                   (KILL, PAUSE in a cluster: the aimed node, then the next ones in index order;
 *                   0 or 1 = one), clock offset ms (CLOCK_JUMP), clock speed percent
 *                   (CLOCK_DRIFT); 0 otherwise
 * @param target     whom it is aimed at ({@link FaultTarget#NODE}: {@code node} itself)
 */
public record FaultEvent(int atMs, FaultKind kind, int node, int durationMs, int param, FaultTarget target) {
    /** A fault at the named node. */
    public FaultEvent(int atMs, FaultKind kind, int node, int durationMs, int param) {
        this(atMs, kind, node, durationMs, param, FaultTarget.NODE);
    }

    /** How many nodes the fault hits at once (the aimed one first); 1 for every kind that is not {@link FaultKind#multiNode}. */
    public int nodeCount() {
        return kind.multiNode() ? Math.max(1, param) : 1;
    }

    @Override
    public String toString() {
        String p = kind.multiNode() ? (param > 1 ? " (" + param + " nodes)" : "") : param != 0 ? " (" + param + ")" : "";
        return "@" + atMs + "ms " + kind.cliName() + " " + (target == FaultTarget.NODE ? "" : target.cliName() + "/")
                + "n" + (node + 1) + " for " + durationMs + "ms" + p;
    }
}
