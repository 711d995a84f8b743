package io.sluice.replication.fetcher;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A leader for fetcher tests: a real socket on loopback speaking Kafka's framing, decoding each
 * request with kafka-clients and answering with what the test's script returns for it. Every
 * request is also queued for the test to inspect. One connection at a time. Close it to stop.
 */
final class FakeLeader implements AutoCloseable {

    private final ServerSocket server;
    private final Thread thread;
    private final Function<AbstractRequest, ApiMessage> script;
    private final BlockingQueue<AbstractRequest> requests = new LinkedBlockingQueue<>();
    private volatile Socket current;

    FakeLeader(Function<AbstractRequest, ApiMessage> script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "fake-leader");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** The next request the fetcher sent, waiting up to 10 s for it. */
    AbstractRequest next() throws InterruptedException {
        AbstractRequest r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request from the fetcher within 10 s");
        }
        return r;
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                current = s;
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    ByteBuffer buf = ByteBuffer.wrap(frame);
                    RequestHeader header = RequestHeader.parse(buf);
                    AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                            new ByteBufferAccessor(buf)).request;
                    requests.add(request);
                    ApiMessage body = script.apply(request);
                    out.write(frame(header, body));
                    out.flush();
                }
            } catch (IOException e) {
                // the fetcher closed its connection, or the test closed the leader
            }
        }
    }

    private static byte[] frame(RequestHeader header, ApiMessage body) {
        short headerVersion = header.apiKey().responseHeaderVersion(header.apiVersion());
        ResponseHeaderData h = new ResponseHeaderData().setCorrelationId(header.correlationId());
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = h.size(cache, headerVersion) + body.size(cache, header.apiVersion());
        ByteBuffer buf = ByteBuffer.allocate(4 + size).putInt(size);
        ByteBufferAccessor out = new ByteBufferAccessor(buf);
        h.write(out, cache, headerVersion);
        body.write(out, cache, header.apiVersion());
        return buf.array();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = current;
        if (s != null) {
            s.close();
        }
    }
}
