package io.sluice.server.handler;

import org.apache.kafka.common.protocol.Errors;

/**
 * How requests for transactions are refused while Sluice does not serve them: a transaction
 * coordinator lookup (FindCoordinator, key type 1) and an InitProducerId with a transactional id
 * are answered at once with {@link #ERROR}, so the client fails in well under a second with the
 * reason, instead of retrying. Owned by the handlers (InitProducerIdHandler here, the group
 * coordinator's FindCoordinatorHandler); goes away with transactions. Immutable, thread-safe.
 *
 * <p>Why CLUSTER_AUTHORIZATION_FAILED. COORDINATOR_NOT_AVAILABLE, the old answer, is retriable:
 * {@code initTransactions()} gave up after {@code max.block.ms} and {@code kafka-transactions
 * describe} after 60 s. Of the codes a client might read as "not here": librdkafka's
 * transaction coordinator lookup gives up at once only on TRANSACTIONAL_ID_AUTHORIZATION_FAILED
 * and CLUSTER_AUTHORIZATION_FAILED (fatal, with the broker's message) and retries every other
 * code, UNSUPPORTED_VERSION included, until its timeout; the Java producer turns
 * CLUSTER_AUTHORIZATION_FAILED (as any code it does not know there) into a fatal KafkaException
 * that carries the broker's message, while TRANSACTIONAL_ID_AUTHORIZATION_FAILED becomes an
 * exception that blames authorization and drops the message. So CLUSTER_AUTHORIZATION_FAILED,
 * with {@link #message} saying why.
 */
public final class TransactionsRefusal {

    public static final Errors ERROR = Errors.CLUSTER_AUTHORIZATION_FAILED;

    private TransactionsRefusal() { }

    public static String message(String transactionalId) {
        return "Transactions are not supported by this broker (Sluice) yet: transactional.id '" + transactionalId
                + "' is refused; the idempotent producer is served (enable.idempotence without transactional.id)";
    }
}
