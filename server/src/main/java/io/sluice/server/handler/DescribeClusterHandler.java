package io.sluice.server.handler;

import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;

/**
 * DescribeCluster (v0-2): cluster id, controller and brokers (fenced ones too when v2 asks), and
 * when asked the authorized operations on the cluster (all of them: there is no authorizer).
 * Endpoint type 2 (controllers) is refused with UNSUPPORTED_ENDPOINT_TYPE: the quorum speaks
 * Ratis, not Kafka. Thread-safe.
 */
final class DescribeClusterHandler implements ApiHandler {

    private static final short UNSUPPORTED_ENDPOINT_TYPE = 115;

    private final HandlerContext ctx;

    DescribeClusterHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DescribeClusterRequestData req = request.bodyAs(DescribeClusterRequestData.class);
        short v = request.apiVersion();
        MetadataImage image = ctx.metadata().image();
        DescribeClusterResponseData resp = new DescribeClusterResponseData().setErrorCode(Errors.NONE)
                .setClusterId(image.clusterId()).setControllerId(ctx.nodeId());
        if (req.includeClusterAuthorizedOperations()) {
            resp.setClusterAuthorizedOperations(AuthorizedOperations.CLUSTER);
        }
        if (v >= 1) {
            resp.setEndpointType(req.endpointType());
            if (req.endpointType() != 1) {
                return CompletableFuture.completedFuture(KafkaResponse.of(resp.setErrorCode(UNSUPPORTED_ENDPOINT_TYPE)
                        .setErrorMessage("Only broker endpoints (type 1) are served")));
            }
        }
        boolean withFenced = v >= 2 && req.includeFencedBrokers();
        for (BrokerRegistration b : image.brokers().values()) {
            if (b.fenced() && !withFenced) {
                continue;
            }
            Endpoint e = b.endpoint(client.listenerName()).orElse(null);
            if (e == null) {
                continue;
            }
            DescribeClusterResponseData.DescribeClusterBroker out = new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(b.brokerId()).setHost(e.host()).setPort(e.port()).setRack(b.rack().orElse(null));
            if (v >= 2) {
                out.setIsFenced(b.fenced());
            }
            resp.brokers().add(out);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
