package io.sluice.server.network;

import io.sluice.server.protocol.KafkaCodec;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiMessage;

/** A blocking Kafka-frame client for tests that need to send exactly the bytes they want. Not thread-safe. */
public final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void send(short apiKey, short version, int correlationId, ApiMessage body) throws IOException {
        ByteBuffer b = KafkaCodec.encodeRequest(apiKey, version, correlationId, "raw-client", body);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        sendRaw(bytes);
    }

    /** Reads one response frame (without its size prefix). */
    public ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        return ByteBuffer.wrap(body);
    }

    public <T extends ApiMessage> T read(short apiKey, short version, Class<T> type) throws IOException {
        return type.cast(KafkaCodec.decodeResponse(readFrame(), apiKey, version));
    }

    /** True when the broker closed the connection within the socket timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    public void setTimeoutMs(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
