package io.sluice.chaos.inject;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * One broker's own view of a partition's ISR, from a Metadata request sent to that broker alone
 * over a raw socket. An Admin client cannot be told which broker to ask, and a broker cut off from
 * the quorum answers from its stale image. Stateless.
 */
final class IsrProbe {
    private static final short VERSION = 12;
    private static final int RESPONSE_BYTES_MAX = 4 << 20;

    private IsrProbe() { }

    /** The ISR of {@code topic}-{@code partition} as the broker at {@code port} sees it; empty if unknown there. */
    static List<Integer> isr(int port, String topic, int partition, int timeoutMs) throws IOException {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.METADATA.id)
                .setRequestApiVersion(VERSION).setCorrelationId(1).setClientId("isr-probe");
        MetadataRequestData body = new MetadataRequestData().setAllowAutoTopicCreation(false);
        body.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
        ByteBuffer frame = RequestUtils.serialize(header, ApiKeys.METADATA.requestHeaderVersion(VERSION), body, VERSION);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            out.write(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int size = in.readInt();
            if (size < 4 || size > RESPONSE_BYTES_MAX) {
                throw new IOException("Metadata response size " + size + " out of range");
            }
            byte[] response = new byte[size];
            in.readFully(response);
            ByteBufferAccessor accessor = new ByteBufferAccessor(ByteBuffer.wrap(response));
            new ResponseHeaderData(accessor, ApiKeys.METADATA.responseHeaderVersion(VERSION));
            MetadataResponseData data = new MetadataResponseData(accessor, VERSION);
            for (MetadataResponseData.MetadataResponseTopic t : data.topics()) {
                for (MetadataResponseData.MetadataResponsePartition p : t.partitions()) {
                    if (topic.equals(t.name()) && p.partitionIndex() == partition) {
                        return List.copyOf(p.isrNodes());
                    }
                }
            }
            return List.of();
        }
    }
}
