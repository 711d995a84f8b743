package io.sluice.server.handler;

import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;

/**
 * InitProducerId (v0-5) for the idempotent producer: a fresh producer id at epoch 0 from a
 * quorum-allocated block (Kafka does the same for a producer without transactional id, also
 * when it asks to bump an existing id, KIP-360). Transactional ids come with transactions in a
 * later issue and are refused at once ({@link TransactionsRefusal}). Thread-safe.
 */
final class InitProducerIdHandler implements ApiHandler {

    private final HandlerContext ctx;

    InitProducerIdHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        InitProducerIdRequestData req = request.bodyAs(InitProducerIdRequestData.class);
        if (req.transactionalId() != null) {
            return CompletableFuture.completedFuture(KafkaResponse.of(new InitProducerIdResponseData()
                    .setErrorCode(TransactionsRefusal.ERROR.code()).setProducerId(-1).setProducerEpoch((short) -1)));
        }
        return ctx.producerIds().nextProducerId().thenApply(a -> KafkaResponse.of(new InitProducerIdResponseData()
                .setErrorCode(a.errorCode()).setProducerId(a.producerId())
                .setProducerEpoch(a.errorCode() == Errors.NONE ? (short) 0 : (short) -1)));
    }
}
