package io.sluice.server.group.consumer;

import java.util.Locale;

/**
 * {@code group.consumer.migration.policy} (KIP-848): whether a live classic group may be upgraded
 * to a consumer group when a consumer-protocol member joins it, and a consumer group downgraded
 * back when its last consumer-protocol member leaves. Kafka's names and default (bidirectional).
 * Immutable, thread-safe.
 */
public enum MigrationPolicy {
    DISABLED, UPGRADE, DOWNGRADE, BIDIRECTIONAL;

    public boolean upgradeEnabled() {
        return this == UPGRADE || this == BIDIRECTIONAL;
    }

    public boolean downgradeEnabled() {
        return this == DOWNGRADE || this == BIDIRECTIONAL;
    }

    /** Kafka parses the value case-insensitively; null when it names no policy. */
    public static MigrationPolicy parse(String value) {
        for (MigrationPolicy p : values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        return null;
    }
}
