package io.sluice.metadata.config;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Kafka's topic configs {@code leader.replication.throttled.replicas} and
 * {@code follower.replication.throttled.replicas}: the literal {@code *} (every replica of the topic)
 * or a list {@code partitionId:brokerId,...}. Validated as Kafka's ThrottledReplicaListValidator does
 * (each trimmed entry empty or {@code digits:digits}, or all of them together exactly {@code *}); read
 * as Kafka's TopicConfigHandler reads it: a broker throttles the partitions listed with its own id.
 * Used by {@link ConfigValidator} (what may be stored) and by the broker (which replicas it throttles).
 * Stateless, thread-safe.
 */
public final class ThrottledReplicas {

    public static final String LEADER_CONFIG = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_CONFIG = "follower.replication.throttled.replicas";

    private static final Pattern REPLICA = Pattern.compile("([0-9]+:[0-9]+)?");

    /** What one broker throttles of one topic: every partition, or those listed with its id. */
    public record Partitions(boolean all, Set<Integer> ids) {
        public static final Partitions NONE = new Partitions(false, Set.of());
        public static final Partitions ALL = new Partitions(true, Set.of());

        public boolean contains(int partition) {
            return all || ids.contains(partition);
        }

        public boolean isEmpty() {
            return !all && ids.isEmpty();
        }
    }

    private ThrottledReplicas() { }

    /** Null when {@code value} is a valid replica list for config {@code name}, else Kafka's reason. */
    public static String check(String name, String value) {
        boolean replicas = Arrays.stream(value.split(",")).allMatch(e -> REPLICA.matcher(e.trim()).matches());
        return replicas || isWildcard(value) ? null : name + " must be the literal '*' or a list of replicas in the following "
                + "format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
    }

    /**
     * The partitions broker {@code brokerId} throttles, by a valid {@code value} (null or empty:
     * none). Throws IllegalArgumentException on an invalid one, which the quorum never stores.
     */
    public static Partitions forBroker(String value, int brokerId) {
        if (value == null || value.isBlank()) {
            return Partitions.NONE;
        }
        String reason = check("replica list", value);
        if (reason != null) {
            throw new IllegalArgumentException("Invalid value " + value + ": " + reason);
        }
        if (isWildcard(value)) {
            return Partitions.ALL;
        }
        Set<Integer> ids = new TreeSet<>();
        for (String entry : value.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.indexOf(':');
            // Digits past int range name no partition or broker (Kafka accepts them too).
            Integer partition = intOrNull(e.substring(0, colon));
            Integer broker = intOrNull(e.substring(colon + 1));
            if (partition != null && broker != null && broker == brokerId) {
                ids.add(partition);
            }
        }
        return ids.isEmpty() ? Partitions.NONE : new Partitions(false, Set.copyOf(ids));
    }

    /** Kafka's wildcard: the trimmed entries together are exactly {@code *}. */
    private static boolean isWildcard(String value) {
        return String.join("", Arrays.stream(value.split(",")).map(String::trim).toList()).equals("*");
    }

    private static Integer intOrNull(String digits) {
        return digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE ? null : (int) Long.parseLong(digits);
    }
}
