package io.sluice.chaos.proxy;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Watches one proxied connection for acknowledged produces, with kafka-clients' own parsers: the
 * request headers client&rarr;broker say which correlation ids are Produce requests (and their
 * versions); only those responses are buffered broker&rarr;client and parsed, every other frame is
 * skipped by its length. Memory is bounded: a request's first {@link #REQUEST_HEADER_BYTES_MAX}
 * bytes, a Produce response up to {@link #RESPONSE_BYTES_MAX}, and the last
 * {@link #PENDING_PRODUCES_MAX} Produce correlation ids (acks=0 requests never get a response).
 * A frame that does not parse is ignored; a connection whose framing breaks (the fuzzer's) is no
 * longer watched. Fed by the proxy's selector thread with the bytes it has just written, so an
 * acknowledgement is recorded when it is handed to the client. Not thread-safe.
 */
final class ProduceAckDecoder {
    static final int REQUEST_HEADER_BYTES_MAX = 512;
    static final int RESPONSE_BYTES_MAX = 1 << 20;
    static final int PENDING_PRODUCES_MAX = 1024;

    private final Consumer<ProduceAck> sink;
    private final Map<Integer, Short> pendingProduceVersions = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Short> eldest) {
            return size() > PENDING_PRODUCES_MAX;
        }
    };
    private final FrameScanner requests = new FrameScanner(REQUEST_HEADER_BYTES_MAX, new FrameScanner.Handler() {
        @Override
        public boolean wantsWhole(int frameBytes, ByteBuffer prefix) {
            try {
                RequestHeader header = RequestHeader.parse(prefix);
                if (header.apiKey() == ApiKeys.PRODUCE) {
                    pendingProduceVersions.put(header.correlationId(), header.apiVersion());
                }
            } catch (RuntimeException e) {
                // not a request header kafka-clients knows (a client id past the prefix, fuzzed bytes): not a produce
            }
            return false;
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            throw new IllegalStateException("request frames are never collected");
        }
    });
    private short responseVersion;
    private final FrameScanner responses = new FrameScanner(Integer.BYTES, new FrameScanner.Handler() {
        @Override
        public boolean wantsWhole(int frameBytes, ByteBuffer prefix) {
            if (prefix.remaining() < Integer.BYTES) {
                return false;
            }
            Short version = pendingProduceVersions.remove(prefix.getInt(0)); // every response starts with its correlation id
            if (version == null || frameBytes > RESPONSE_BYTES_MAX) {
                return false;
            }
            responseVersion = version;
            return true;
        }

        @Override
        public void onFrame(ByteBuffer frame) {
            try {
                ResponseHeader.parse(frame, ApiKeys.PRODUCE.responseHeaderVersion(responseVersion));
                ProduceResponse response = ProduceResponse.parse(new ByteBufferAccessor(frame), responseVersion);
                response.data().responses().forEach(topic -> topic.partitionResponses().forEach(p -> {
                    if (p.errorCode() == Errors.NONE.code() && p.baseOffset() >= 0) {
                        sink.accept(new ProduceAck(topic.name(), topic.topicId(), p.index(), p.baseOffset()));
                    }
                }));
            } catch (RuntimeException e) {
                // a response that does not parse acknowledges nothing we can name
            }
        }
    });

    ProduceAckDecoder(Consumer<ProduceAck> sink) {
        this.sink = sink;
    }

    /** Bytes just written towards the broker. */
    void clientToBroker(ByteBuffer written) {
        requests.accept(written);
    }

    /** Bytes just written towards the client. */
    void brokerToClient(ByteBuffer written) {
        if (!requests.broken()) {
            responses.accept(written);
        }
    }
}
