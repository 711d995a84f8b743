package io.sluice.chaos.fuzz;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Asks a broker which (api key, version range) it advertises, over a raw socket: ApiVersions v3
 * request, response header v0 (ApiVersions responses always use it, so old clients can read
 * them). Stateless.
 */
public final class ApiVersionsProbe {
    private static final short VERSION = 3;
    private static final int RESPONSE_BYTES_MAX = 1 << 20;

    private ApiVersionsProbe() { }

    /** An advertised range. */
    public record Advertised(short apiKey, short minVersion, short maxVersion) { }

    public static List<Advertised> fetch(String host, int port, int timeoutMs) throws IOException {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion(VERSION).setCorrelationId(1).setClientId("chaos-fuzz");
        ApiVersionsRequestData body = new ApiVersionsRequestData().setClientSoftwareName("sluice-chaos")
                .setClientSoftwareVersion("1");
        ByteBuffer frame = RequestUtils.serialize(header, ApiKeys.API_VERSIONS.requestHeaderVersion(VERSION), body,
                VERSION);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
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
                throw new IOException("ApiVersions response size " + size + " out of range");
            }
            byte[] response = new byte[size];
            in.readFully(response);
            ByteBuffer buf = ByteBuffer.wrap(response);
            buf.getInt(); // correlation id
            ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(buf), VERSION);
            if (data.errorCode() != 0) {
                throw new IOException("ApiVersions error code " + data.errorCode());
            }
            List<Advertised> out2 = new ArrayList<>();
            data.apiKeys().forEach(k -> out2.add(new Advertised(k.apiKey(), k.minVersion(), k.maxVersion())));
            return out2;
        }
    }
}
