package io.sluice.chaos.inject;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The two sides of a network partition between nodes, as {@code --partition 1|2,3} names them:
 * node ids on the left of the bar cannot talk to node ids on the right, both ways.
 *
 * @param left  node ids of one side, sorted, not empty
 * @param right node ids of the other side, sorted, not empty, none in {@code left}
 */
public record PartitionSides(Set<Integer> left, Set<Integer> right) {

    public PartitionSides {
        if (left.isEmpty() || right.isEmpty()) {
            throw new IllegalArgumentException("both sides of a partition need a node");
        }
        Set<Integer> both = new TreeSet<>(left);
        both.retainAll(right);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("node " + both.iterator().next() + " is on both sides of the partition");
        }
        left = Collections.unmodifiableSet(new TreeSet<>(left));
        right = Collections.unmodifiableSet(new TreeSet<>(right));
    }

    /** Parses {@code 1|2,3}: comma-separated node ids, one bar between the sides. */
    public static PartitionSides parse(String text) {
        String[] sides = text.trim().split("\\|", -1);
        if (sides.length != 2) {
            throw new IllegalArgumentException("a partition is two sides of node ids split by one '|', e.g. 1|2,3: '"
                    + text + "'");
        }
        return new PartitionSides(ids(sides[0], text), ids(sides[1], text));
    }

    private static Set<Integer> ids(String side, String whole) {
        Set<Integer> out = new TreeSet<>();
        for (String id : side.split(",")) {
            String t = id.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                out.add(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + t + "' in '" + whole + "' is not a node id");
            }
        }
        return out;
    }

    /** Every node named, on either side. */
    public Set<Integer> nodes() {
        Set<Integer> all = new TreeSet<>(left);
        all.addAll(right);
        return all;
    }

    /** The other side of the one {@code node} is on. */
    public Set<Integer> across(int node) {
        return left.contains(node) ? right : right.contains(node) ? left : Set.of();
    }

    @Override
    public String toString() {
        return join(left) + "|" + join(right);
    }

    private static String join(Set<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
