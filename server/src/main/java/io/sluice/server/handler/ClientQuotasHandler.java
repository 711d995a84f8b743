package io.sluice.server.handler;

import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.ApiVersionsTable;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;

/**
 * DescribeClientQuotas (v0-1) and AlterClientQuotas (v0-1), KIP-546. Quotas live in the metadata
 * quorum, which validates alterations with Kafka's controller rules; describe reads this broker's
 * image and filters as Kafka's {@code ClientQuotasImage} does (EXACT / DEFAULT / SPECIFIED
 * components, {@code strict}). Thread-safe.
 */
final class ClientQuotasHandler implements ApiHandler {
    /** Kafka's {@code ClientQuotaFilterComponent} match types on the wire. */
    private static final byte MATCH_EXACT = 0;
    private static final byte MATCH_DEFAULT = 1;
    private static final byte MATCH_SPECIFIED = 2;

    private final HandlerContext ctx;

    ClientQuotasHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        return request.apiKey() == ApiVersionsTable.DESCRIBE_CLIENT_QUOTAS
                ? CompletableFuture.completedFuture(KafkaResponse.of(describe(request.bodyAs(DescribeClientQuotasRequestData.class))))
                : alter(request.bodyAs(AlterClientQuotasRequestData.class));
    }

    private DescribeClientQuotasResponseData describe(DescribeClientQuotasRequestData req) {
        Map<String, String> exact = new HashMap<>();
        Set<String> specified = new HashSet<>();
        for (DescribeClientQuotasRequestData.ComponentData c : req.components()) {
            String type = c.entityType();
            String problem = null;
            short code = Errors.INVALID_REQUEST;
            if (type.isEmpty()) {
                problem = "Invalid empty entity type.";
            } else if (exact.containsKey(type) || specified.contains(type)) {
                problem = "Entity type " + type + " cannot appear more than once in the filter.";
            } else if (!type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)
                    && !type.equals(ClientQuotaEntity.IP)) {
                problem = "Unsupported entity type " + type;
                code = Errors.UNSUPPORTED_VERSION;
            } else if (c.matchType() == MATCH_EXACT) {
                problem = c.match() == null ? "Request specified MATCH_TYPE_EXACT, but set match string to null." : null;
                exact.put(type, c.match());
            } else if (c.matchType() == MATCH_DEFAULT) {
                problem = c.match() != null ? "Request specified MATCH_TYPE_DEFAULT, but also specified a match string."
                        : null;
                exact.put(type, null);
            } else if (c.matchType() == MATCH_SPECIFIED) {
                problem = c.match() != null ? "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string."
                        : null;
                specified.add(type);
            } else {
                problem = "Unknown match type " + c.matchType();
            }
            if (problem != null) {
                return new DescribeClientQuotasResponseData().setErrorCode(code).setErrorMessage(problem).setEntries(null);
            }
        }
        boolean ip = exact.containsKey(ClientQuotaEntity.IP) || specified.contains(ClientQuotaEntity.IP);
        boolean other = exact.size() + specified.size() > (ip ? 1 : 0);
        if (ip && other) {
            return new DescribeClientQuotasResponseData().setErrorCode(Errors.INVALID_REQUEST).setEntries(null)
                    .setErrorMessage("Invalid entity filter component combination. IP filter component should not be "
                            + "used with user or clientId filter component.");
        }
        DescribeClientQuotasResponseData resp = new DescribeClientQuotasResponseData();
        new TreeMap<>(ctx.metadata().image().clientQuotas()).forEach((entity, quotas) -> {
            if (matches(entity, exact, specified, req.strict())) {
                DescribeClientQuotasResponseData.EntryData e = new DescribeClientQuotasResponseData.EntryData();
                for (ClientQuotaEntity.Component c : entity.components()) {
                    e.entity().add(new DescribeClientQuotasResponseData.EntityData()
                            .setEntityType(c.entityType()).setEntityName(c.entityName()));
                }
                new TreeMap<>(quotas).forEach((k, v) ->
                        e.values().add(new DescribeClientQuotasResponseData.ValueData().setKey(k).setValue(v)));
                resp.entries().add(e);
            }
        });
        return resp;
    }

    private static boolean matches(ClientQuotaEntity entity, Map<String, String> exact, Set<String> specified,
                                   boolean strict) {
        if (strict && entity.components().size() != exact.size() + specified.size()) {
            return false;
        }
        for (Map.Entry<String, String> m : exact.entrySet()) {
            if (!entity.has(m.getKey()) || !Objects.equals(entity.name(m.getKey()), m.getValue())) {
                return false;
            }
        }
        for (String type : specified) {
            if (!entity.has(type)) {
                return false;
            }
        }
        return true;
    }

    private CompletionStage<KafkaResponse> alter(AlterClientQuotasRequestData req) {
        AlterClientQuotasResponseData resp = new AlterClientQuotasResponseData();
        List<AlterClientQuotas.Entry> entries = new ArrayList<>();
        for (AlterClientQuotasRequestData.EntryData e : req.entries()) {
            List<ClientQuotaEntity.Component> components = new ArrayList<>();
            e.entity().forEach(c -> components.add(new ClientQuotaEntity.Component(c.entityType(), c.entityName())));
            ClientQuotaEntity entity = new ClientQuotaEntity(components);
            List<AlterClientQuotas.Op> ops = new ArrayList<>();
            for (AlterClientQuotasRequestData.OpData op : e.ops()) {
                ops.add(new AlterClientQuotas.Op(op.key(), op.remove() ? null : op.value()));
            }
            entries.add(new AlterClientQuotas.Entry(entity, ops));
        }
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(KafkaResponse.of(resp));
        }
        AlterClientQuotas command = new AlterClientQuotas(entries, req.validateOnly());
        return ctx.metadata().submit(command).handle((result, e) -> {
            AlterClientQuotas.Result r = result != null ? result : command.failed(Errors.REQUEST_TIMED_OUT, String.valueOf(e));
            for (AlterClientQuotas.EntryError err : r.entries()) {
                resp.entries().add(entry(err.entity(), err.errorCode(),
                        err.errorCode() == Errors.NONE ? null : err.errorMessage()));
            }
            return KafkaResponse.of(resp);
        });
    }

    private static AlterClientQuotasResponseData.EntryData entry(ClientQuotaEntity entity, short code, String message) {
        AlterClientQuotasResponseData.EntryData d = new AlterClientQuotasResponseData.EntryData()
                .setErrorCode(code).setErrorMessage(message);
        for (ClientQuotaEntity.Component c : entity.components()) {
            d.entity().add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(c.entityType()).setEntityName(c.entityName()));
        }
        return d;
    }
}
