package io.sluice.bench.broker.launch;

/** A broker process did not start or did not become ready; the message says why and where its log is. */
public final class BrokerStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public BrokerStartException(String message) {
        super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
