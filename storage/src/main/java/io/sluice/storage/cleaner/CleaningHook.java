package io.sluice.storage.cleaner;

/**
 * Told when a cleaning passes each {@link CleaningStep}. Tests stop a cleaning there (a simulated
 * crash: the hook throws) and reopen the log; in production it is {@link #NONE}. Called on the
 * cleaning thread (and under the log's lock from {@link CleaningStep#RENAMED_TO_SWAP} on).
 */
@FunctionalInterface
public interface CleaningHook {

    CleaningHook NONE = step -> { };

    void reached(CleaningStep step);
}
