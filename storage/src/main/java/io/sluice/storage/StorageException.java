package io.sluice.storage;

/**
 * An I/O failure on a log directory, or a request storage cannot serve (no online log dir).
 * Thrown only from the cold paths (open, create, delete); the hot paths return
 * {@link ErrorCode#KAFKA_STORAGE_ERROR} instead.
 */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
