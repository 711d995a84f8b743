package io.sluice.replication.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One blocking connection from this broker to another (a replica fetcher to a leader, a
 * share-partition leader to a share coordinator), speaking Kafka's framing with kafka-clients' own
 * request and response classes (as Kafka's BrokerBlockingSender does over its NetworkClient). One
 * request at a time; {@code socketTimeoutMs} bounds connect and each read, so a broker that stops
 * answering frees the caller. Not thread-safe: owned by one thread.
 */
public final class BrokerConnection implements AutoCloseable {

    /** A response larger than this is a broken stream, not data: no inter-broker request asks for more. */
    private static final int RESPONSE_BYTES_MAX = 256 * 1024 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String clientId;
    private int correlationId;

    public BrokerConnection(InetSocketAddress address, int socketTimeoutMs, String clientId) throws IOException {
        this.clientId = clientId;
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, socketTimeoutMs);
            socket.setSoTimeout(socketTimeoutMs);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one request and waits for its response. */
    public AbstractResponse send(AbstractRequest request) throws IOException {
        ApiKeys api = request.apiKey();
        RequestHeader header = new RequestHeader(api, request.version(), clientId, ++correlationId);
        ByteBuffer body = request.serializeWithHeader(header);
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body).flip();
        out.write(frame.array(), 0, frame.limit());
        out.flush();
        int size = in.readInt();
        if (size < 0 || size > RESPONSE_BYTES_MAX) {
            throw new IOException("response of " + size + " bytes from " + socket.getRemoteSocketAddress());
        }
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(bytes), header);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that failed: nothing left to release
        }
    }
}
