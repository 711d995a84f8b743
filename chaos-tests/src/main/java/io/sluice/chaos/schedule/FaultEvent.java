package io.sluice.chaos.schedule;

/**
 * One fault in a schedule. Immutable.
 *
 * @param atMs       when it starts, from the start of the workload
 * @param kind       what it is
 * @param node       index of the target node (0 while the suite runs single nodes)
 * @param durationMs how long it lasts (down time for kill/power loss, hold time otherwise)
 * @param param      kind-specific: delay ms (SLOW), garbage bytes max (POWER_LOSS), bytes to flip
 *                   (CORRUPT), connections (FUZZ); 0 otherwise
 */
public record FaultEvent(int atMs, FaultKind kind, int node, int durationMs, int param) {
    @Override
    public String toString() {
        return "@" + atMs + "ms " + kind.cliName() + " n" + (node + 1) + " for " + durationMs + "ms"
                + (param != 0 ? " (" + param + ")" : "");
    }
}
