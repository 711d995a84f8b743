package io.sluice.server.group.classic;

import java.util.Locale;
import java.util.Set;

/**
 * States of a classic group (Kafka's ClassicGroupState), with the transitions Kafka allows:
 * each state names the states it may be entered from. Immutable.
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name Kafka puts on the wire (DescribeGroups, ListGroups). */
    public String kafkaName() {
        return kafkaName;
    }

    /** States this one may be entered from. */
    Set<GroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> Set.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> Set.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE -> Set.of(PREPARING_REBALANCE);
            case STABLE -> Set.of(COMPLETING_REBALANCE);
            case DEAD -> Set.of(STABLE, PREPARING_REBALANCE, COMPLETING_REBALANCE, EMPTY, DEAD);
        };
    }

    /** Parses a ListGroups state filter entry (case-insensitive, as Kafka). */
    public static GroupState parse(String s) {
        for (GroupState st : values()) {
            if (st.kafkaName.toLowerCase(Locale.ROOT).equals(s.toLowerCase(Locale.ROOT))) {
                return st;
            }
        }
        return null;
    }
}
