package io.sluice.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter between Kafka wire frames and kafka-clients' generated message classes: it parses
 * a request frame (size prefix already removed) into a {@link KafkaRequest} and encodes a
 * response body into a length-prefixed Netty buffer. Bytes after a request body are ignored (logged
 * at DEBUG), as Kafka ignores them. Together with the handlers, the only code
 * that touches {@code org.apache.kafka.common.message}; the network layer sees only bytes.
 *
 * <p>Which (api key, version) pairs are served comes from {@link ApiVersionsTable}, never from
 * the jar. Stateless and thread-safe.
 */
public final class KafkaCodec {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCodec.class);

    /** api key (2) + api version (2) + correlation id (4): the shortest header of any version. */
    public static final int REQUEST_HEADER_MIN_BYTES = 8;

    private final ApiVersionsTable table;

    public KafkaCodec(ApiVersionsTable table) {
        this.table = table;
    }

    public ApiVersionsTable table() {
        return table;
    }

    /**
     * Parses one frame. The returned body may reference {@code frame}'s bytes (records are
     * sliced, not copied), so the caller keeps the frame until the request completes.
     */
    public ParseResult parse(ByteBuffer frame) {
        if (frame.remaining() < REQUEST_HEADER_MIN_BYTES) {
            return new ParseResult.Invalid("frame of " + frame.remaining() + " bytes is shorter than a request header");
        }
        short apiKey = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        int correlationId = frame.getInt(frame.position() + 4);
        ApiVersionsTable.Range range = table.range(apiKey);
        if (range == null) {
            return new ParseResult.Invalid("unknown or unsupported api key " + apiKey + " (version " + version + ")");
        }
        if (!range.contains(version)) {
            if (apiKey == ApiVersionsTable.API_VERSIONS) {
                return new ParseResult.UnsupportedApiVersions(correlationId, version);
            }
            // Kafka's words (UnsupportedVersionException), also for the advertised but refused Produce v0-2.
            return new ParseResult.Invalid("Received request for api with key " + apiKey + " (" + range.name()
                    + ") and unsupported version " + version + " (serving " + range.minVersion() + "-"
                    + range.maxVersion() + ")");
        }
        ApiMessageType type = ApiMessageType.fromApiKey(apiKey);
        try {
            ByteBufferAccessor accessor = new ByteBufferAccessor(frame.slice());
            RequestHeaderData header = new RequestHeaderData();
            header.read(accessor, type.requestHeaderVersion(version));
            ApiMessage body = type.newRequest();
            body.read(accessor, version);
            if (accessor.remaining() != 0 && LOG.isDebugEnabled()) {
                // Kafka reads the body and ignores what follows it, and clients depend on that:
                // librdkafka reserves 4 bytes for Metadata's topic array and leaves 3 of them
                // unused on v9+ (a compact array's length is 1 byte) when it asks for all topics.
                LOG.debug("{} v{} from client {} has {} bytes after its body: ignored, as Kafka does", range.name(),
                        version, header.clientId(), accessor.remaining());
            }
            return new ParseResult.Parsed(new KafkaRequest(apiKey, version, correlationId, header.clientId(),
                    type.responseHeaderVersion(version), body));
        } catch (RuntimeException e) {
            return new ParseResult.Invalid("unparsable " + range.name() + " v" + version + " body: " + e);
        }
    }

    /**
     * Encodes a response: 4-byte size, response header, body, as parts to write in order: buffers,
     * and file regions for record sets sent from their segment files. Record sets are not copied
     * (see {@link ByteBufWritable}).
     */
    public List<Object> encodeResponse(ByteBufAllocator alloc, int correlationId, short headerVersion,
                                       ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBufWritable out = new ByteBufWritable(alloc, 4 + size.sizeExcludingZeroCopy());
        try {
            out.writeInt(size.totalSize());
            header.write(out, cache, headerVersion);
            body.write(out, cache, version);
            return out.finish();
        } catch (RuntimeException e) {
            out.discard();
            throw e;
        }
    }

    /** Encodes a request (used by tests and tools that speak to a broker). */
    public static ByteBuffer encodeRequest(short apiKey, short version, int correlationId, String clientId,
                                           ApiMessage body) {
        ApiMessageType type = ApiMessageType.fromApiKey(apiKey);
        short headerVersion = type.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey)
                .setRequestApiVersion(version).setCorrelationId(correlationId).setClientId(clientId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int headerSize = header.size(cache, headerVersion);
        int bodySize = body.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + headerSize + bodySize);
        buf.putInt(headerSize + bodySize);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buf);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buf.flip();
        return buf;
    }

    /** Decodes a response body (without the size prefix) for tests and tools. */
    public static ApiMessage decodeResponse(ByteBuffer frame, short apiKey, short version) {
        ApiMessageType type = ApiMessageType.fromApiKey(apiKey);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        ResponseHeaderData header = new ResponseHeaderData();
        header.read(accessor, type.responseHeaderVersion(version));
        ApiMessage body = type.newResponse();
        body.read(accessor, version);
        return body;
    }
}
