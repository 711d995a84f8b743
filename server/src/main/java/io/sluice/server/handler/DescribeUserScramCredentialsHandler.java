package io.sluice.server.handler;

import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;

/**
 * DescribeUserScramCredentials (v0, KIP-554), which {@code kafka-configs --describe --entity-type users}
 * sends beside DescribeClientQuotas. Sluice has no SASL, so no SCRAM credential exists: describing
 * all users answers none, and each named user is Kafka's RESOURCE_NOT_FOUND (a user named twice,
 * DUPLICATE_RESOURCE), with Kafka's messages. AlterUserScramCredentials is not served. Stateless,
 * thread-safe.
 */
final class DescribeUserScramCredentialsHandler implements ApiHandler {
    private static final short RESOURCE_NOT_FOUND = 91;
    private static final short DUPLICATE_RESOURCE = 92;

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DescribeUserScramCredentialsRequestData req = request.bodyAs(DescribeUserScramCredentialsRequestData.class);
        DescribeUserScramCredentialsResponseData resp = new DescribeUserScramCredentialsResponseData();
        if (req.users() != null) {
            Map<String, Boolean> duplicated = new LinkedHashMap<>();
            req.users().forEach(u -> duplicated.merge(u.name(), false, (a, b) -> true));
            duplicated.forEach((user, twice) -> resp.results().add(new DescribeUserScramCredentialsResult()
                    .setUser(user)
                    .setErrorCode(twice ? DUPLICATE_RESOURCE : RESOURCE_NOT_FOUND)
                    .setErrorMessage(twice ? "Cannot describe SCRAM credentials for the same user twice in a single request: "
                            + user : "Attempt to describe a user credential that does not exist: " + user)));
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
