package io.sluice.metadata.node;

/** KRaft's {@code process.roles} values. */
public enum ProcessRole {
    BROKER, CONTROLLER
}
