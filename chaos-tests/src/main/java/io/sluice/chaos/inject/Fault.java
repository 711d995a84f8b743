package io.sluice.chaos.inject;

/**
 * One fault {@code chaos inject} puts on the running cluster, and how to take it off again. Each
 * prints what it did through the {@link ActionLog}. {@link InjectSession} calls {@link #inject}
 * once, then {@link #heal} at most once, possibly from the shutdown hook's thread while
 * {@link #inject} still runs (Ctrl-C during it).
 */
public interface Fault {
    /** Puts the fault in force; throws (naming why) if it cannot, having changed nothing lasting. */
    void inject(ActionLog log) throws Exception;

    /** Takes the fault off; must cope with a partial {@link #inject}. */
    void heal(ActionLog log) throws Exception;
}
