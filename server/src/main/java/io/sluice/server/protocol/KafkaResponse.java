package io.sluice.server.protocol;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What a handler answers: a body to encode in the request's version, or nothing (acks=0
 * produce). {@code onWritten} runs once the bytes left the socket or the connection died — it
 * releases storage leases held by zero-copy record slices. {@code muteAfterSendMs} &gt; 0 asks the
 * connection to read nothing more for that long once the response is sent: a client over its
 * quota (KIP-219). Immutable.
 */
public record KafkaResponse(ApiMessage body, Runnable onWritten, int muteAfterSendMs) {

    public KafkaResponse(ApiMessage body, Runnable onWritten) {
        this(body, onWritten, 0);
    }

    /** This response, with the connection muted for {@code ms} after it is sent. */
    public KafkaResponse withMuteAfterSendMs(int ms) {
        return new KafkaResponse(body, onWritten, ms);
    }

    private static final Runnable NOTHING = () -> { };
    private static final KafkaResponse NONE = new KafkaResponse(null, NOTHING);

    public static KafkaResponse of(ApiMessage body) {
        return new KafkaResponse(body, NOTHING);
    }

    public static KafkaResponse of(ApiMessage body, Runnable onWritten) {
        return new KafkaResponse(body, onWritten);
    }

    /** No response goes to the client (Kafka's acks=0 produce). */
    public static KafkaResponse none() {
        return NONE;
    }

    public boolean hasBody() {
        return body != null;
    }
}
