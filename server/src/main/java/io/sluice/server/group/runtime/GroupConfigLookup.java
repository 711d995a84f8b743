package io.sluice.server.group.runtime;

import java.util.Map;

/**
 * A group's own configs, set with {@code kafka-configs --entity-type groups} and kept in the
 * metadata quorum: each read sees the latest applied value, so a change takes effect at the
 * group's next heartbeat or share-partition start, without a restart. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface GroupConfigLookup {

    /** No group has configs of its own (unit tests). */
    GroupConfigLookup NONE = groupId -> Map.of();

    /** The group's configs: name → value, empty when it has none. */
    Map<String, String> of(String groupId);

    /** The group's int config {@code name}, else {@code brokerDefault}. Values were validated when set. */
    default int intOr(String groupId, String name, int brokerDefault) {
        String v = of(groupId).get(name);
        return v == null ? brokerDefault : Integer.parseInt(v.trim());
    }

    /** The group's config {@code name}, else {@code brokerDefault}. */
    default String stringOr(String groupId, String name, String brokerDefault) {
        return of(groupId).getOrDefault(name, brokerDefault);
    }
}
