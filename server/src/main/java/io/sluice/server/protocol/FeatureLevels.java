package io.sluice.server.protocol;

import java.util.List;
import java.util.Map;

/**
 * The Kafka features (KIP-584) Sluice reports in ApiVersions v3+ and so in {@code kafka-features
 * describe} and {@code Admin.describeFeatures()}: the same feature names a Kafka 4.4 broker lists,
 * each at the level of what Sluice really serves. Only {@code share.version} can be changed
 * (UpdateFeatures, {@code kafka-features upgrade}); every other supported range is one level and
 * is also the finalized level, except {@code group.version}'s (below).
 *
 * <p>Why each level:
 * <ul>
 *   <li>{@code metadata.version} 7 (3.3-IV3), the lowest level Kafka 4.4 knows. Sluice's metadata
 *       is its own Ratis log, not KRaft's records, and every later level promises something Sluice
 *       does not serve: SCRAM credentials (3.5-IV2), delegation tokens (3.6-IV2), controller
 *       registration and DescribeCluster of controllers (3.7-IV0), JBOD directory assignment
 *       (3.7-IV2), eligible leader replicas (4.0-IV1), cordoned log dirs (4.3-IV0), CIDR ACLs
 *       (4.4-IV1). Which request versions are served is ApiVersions' own answer, not this level.</li>
 *   <li>{@code kraft.version} 0: a static voter set ({@code controller.quorum.voters}); level 1
 *       is KIP-853's dynamic quorum (AddRaftVoter), not served.</li>
 *   <li>{@code group.version} 1: KIP-848's consumer protocol (ConsumerGroupHeartbeat) is served
 *       beside the classic one; 1 is Kafka 4.4's highest level, and it depends on no other. Its
 *       supported range is Kafka's, 0-1 (a range from 0 is what ApiVersions v0-3 leave out, as a
 *       Kafka 4.4 broker does); the level still cannot be changed.</li>
 *   <li>{@code transaction.version} 0: transactions are not served at all (transactional ids are
 *       refused); 0 is the lowest level there is, and tells the Java producer not to use KIP-890's
 *       transactions v2.</li>
 *   <li>{@code share.version}: 0-1, finalized at {@code sluice.share.version} (default 0). Kafka
 *       turns share groups (KIP-932) on with this feature at level 1; Sluice has no UpdateFeatures,
 *       so the level is a broker setting. Level 2 (KIP-1191's dead-letter queues) is not served.</li>
 *   <li>{@code streams.version}, {@code eligible.leader.replicas.version} 0: streams groups
 *       (KIP-1071) and ELR (KIP-966) are not served.</li>
 * </ul>
 * As in Kafka, a feature finalized at level 0 is left out of FinalizedFeatures (the tools print 0
 * for it). Owned by the protocol layer beside {@link ApiVersionsTable}, read by the ApiVersions
 * handler; a level changes only with the feature it names. Immutable and thread-safe.
 */
public final class FeatureLevels {

    /** One feature: its supported range, and the finalized level (0 = off). */
    public record Feature(String name, short minVersion, short maxVersion, short finalizedLevel) { }

    public static final String SHARE_VERSION = "share.version";

    private FeatureLevels() { }

    private static Feature fixed(String name, int level) {
        return new Feature(name, (short) level, (short) level, (short) level);
    }

    /**
     * share.version's finalized level: the quorum's ({@code finalized}, set by UpdateFeatures), at
     * least this broker's {@code sluice.share.version} ({@code floor}).
     */
    public static short shareVersion(int floor, Map<String, Short> finalized) {
        return (short) Math.max(floor, finalized.getOrDefault(SHARE_VERSION, (short) 0));
    }

    /** Whether UpdateFeatures may change {@code feature} (within its supported range). */
    public static boolean changeable(String feature) {
        return SHARE_VERSION.equals(feature);
    }

    /** All features, in a fixed order; {@code shareVersion} is share.version's finalized level (0 or 1). */
    public static List<Feature> all(int shareVersion) {
        return List.of(
                fixed("metadata.version", 7),
                fixed("kraft.version", 0),
                new Feature("group.version", (short) 0, (short) 1, (short) 1),
                fixed("transaction.version", 0),
                new Feature(SHARE_VERSION, (short) 0, (short) 1, (short) shareVersion),
                fixed("streams.version", 0),
                fixed("eligible.leader.replicas.version", 0));
    }
}
