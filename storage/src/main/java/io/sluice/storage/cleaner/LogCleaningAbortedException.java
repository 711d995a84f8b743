package io.sluice.storage.cleaner;

/**
 * A cleaning stopped because its log is being deleted or the cleaner is closing (Kafka's name);
 * thrown on the cleaning thread, caught by {@link LogCleanerManager}.
 */
public final class LogCleaningAbortedException extends Exception {

    public LogCleaningAbortedException(String message) {
        super(message, null, false, false);
    }
}
