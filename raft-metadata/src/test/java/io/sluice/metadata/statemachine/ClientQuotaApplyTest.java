package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ClientQuotaEntity.Component;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** AlterClientQuotas applied through the real entry path: Kafka's controller rules and codes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientQuotaApplyTest {
    private static final ClientQuotaEntity APP = ClientQuotaEntity.of(new Component("client-id", "app"));
    private static final ClientQuotaEntity DEFAULT_USER = ClientQuotaEntity.of(new Component("user", null));

    private final Harness h = new Harness();

    private static AlterClientQuotas.Entry entry(ClientQuotaEntity e, AlterClientQuotas.Op... ops) {
        return new AlterClientQuotas.Entry(e, Arrays.asList(ops));
    }

    private static AlterClientQuotas.Op set(String key, double v) {
        return new AlterClientQuotas.Op(key, v);
    }

    private AlterClientQuotas.EntryError alterOne(AlterClientQuotas.Entry e) {
        return h.apply(new AlterClientQuotas(List.of(e), false)).entries().get(0);
    }

    @Test
    void setChangeAndRemoveKeysOfAnEntity() {
        AlterClientQuotas.Result r = h.apply(new AlterClientQuotas(List.of(
            entry(APP, set("producer_byte_rate", 1024), set("request_percentage", 12.5)),
            entry(DEFAULT_USER, set("consumer_byte_rate", 2048))), false));
        assertThat(r.entries()).extracting(AlterClientQuotas.EntryError::errorCode).containsOnly(ErrorCodes.NONE);
        assertThat(h.image.clientQuotas()).isEqualTo(Map.of(
            APP, Map.of("producer_byte_rate", 1024.0, "request_percentage", 12.5),
            DEFAULT_USER, Map.of("consumer_byte_rate", 2048.0)));

        alterOne(entry(APP, set("producer_byte_rate", 10), new AlterClientQuotas.Op("request_percentage", null)));
        assertThat(h.image.clientQuotas().get(APP)).isEqualTo(Map.of("producer_byte_rate", 10.0));

        alterOne(entry(APP, new AlterClientQuotas.Op("producer_byte_rate", null)));
        assertThat(h.image.clientQuotas()).containsOnlyKeys(DEFAULT_USER);
    }

    @Test
    void componentOrderDoesNotMakeADifferentEntity() {
        ClientQuotaEntity a = ClientQuotaEntity.of(new Component("user", "u"), new Component("client-id", "c"));
        ClientQuotaEntity b = ClientQuotaEntity.of(new Component("client-id", "c"), new Component("user", "u"));
        assertThat(a).isEqualTo(b);
        alterOne(entry(a, set("consumer_byte_rate", 5)));
        alterOne(entry(b, set("consumer_byte_rate", 6)));
        assertThat(h.image.clientQuotas()).isEqualTo(Map.of(a, Map.of("consumer_byte_rate", 6.0)));
    }

    @Test
    void theQuotaMapIsTheSameObjectUntilAQuotaChanges() {
        alterOne(entry(APP, set("producer_byte_rate", 1)));
        Map<ClientQuotaEntity, Map<String, Double>> before = h.image.clientQuotas();
        h.liveBroker(1, null);
        alterOne(entry(APP, set("producer_byte_rate", 1))); // no change
        assertThat(h.image.clientQuotas()).isSameAs(before);
        alterOne(entry(APP, set("producer_byte_rate", 2)));
        assertThat(h.image.clientQuotas()).isNotSameAs(before).isEqualTo(Map.of(APP, Map.of("producer_byte_rate", 2.0)));
        assertThat(before).isEqualTo(Map.of(APP, Map.of("producer_byte_rate", 1.0)));
    }

    @Test
    void validateOnlyChangesNothing() {
        AlterClientQuotas.Result r = h.apply(new AlterClientQuotas(List.of(entry(APP, set("producer_byte_rate", 1))),
            true));
        assertThat(r.entries().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.clientQuotas()).isEmpty();
    }

    @Test
    void badInputIsInvalidRequestWithKafkasMessageAndChangesNothingForThatEntity() {
        assertBad(entry(APP, set("no_such_quota", 1)), "Invalid configuration key no_such_quota");
        assertBad(entry(APP, set("producer_byte_rate", 0)), "Quota producer_byte_rate must be greater than 0");
        assertBad(entry(APP, set("request_percentage", -1)), "Quota request_percentage must be greater than 0");
        assertBad(entry(APP, set("producer_byte_rate", 1.5)), "producer_byte_rate cannot be a fractional value.");
        assertBad(entry(APP, set("consumer_byte_rate", 1e300)), "Proposed value for consumer_byte_rate is too large");
        assertBad(entry(ClientQuotaEntity.of(new Component("group", "g")), set("producer_byte_rate", 1)),
            "Unhandled client quota entity type: group");
        assertBad(entry(ClientQuotaEntity.of(), set("producer_byte_rate", 1)), "Invalid empty client quota entity");
        assertBad(entry(ClientQuotaEntity.of(new Component("client-id", "")), set("producer_byte_rate", 1)),
            "Empty client-id not supported");
        assertBad(entry(ClientQuotaEntity.of(new Component("user", "a"), new Component("user", "b")),
            set("producer_byte_rate", 1)), "duplicate entity entry user");
        assertBad(entry(ClientQuotaEntity.of(new Component("ip", "10.0.0.1")), set("connection_creation_rate", 5)),
            "does not enforce connection quotas");
        assertBad(entry(APP, set("producer_byte_rate", 5), set("producer_byte_rate", 6)), "Ignoring duplicate entity");
        assertThat(h.image.clientQuotas()).isEmpty();
    }

    @Test
    void aBadEntryDoesNotStopTheOthersButASecondMentionOfAnEntityIsRefused() {
        AlterClientQuotas.Result r = h.apply(new AlterClientQuotas(List.of(
            entry(APP, set("producer_byte_rate", 100)),
            entry(DEFAULT_USER, set("producer_byte_rate", -5)),
            entry(APP, set("producer_byte_rate", 200))), false));
        assertThat(r.entries()).extracting(AlterClientQuotas.EntryError::errorCode)
            .containsExactly(ErrorCodes.NONE, ErrorCodes.INVALID_REQUEST, ErrorCodes.INVALID_REQUEST);
        assertThat(h.image.clientQuotas()).isEqualTo(Map.of(APP, Map.of("producer_byte_rate", 100.0)));
    }

    private void assertBad(AlterClientQuotas.Entry e, String message) {
        AlterClientQuotas.EntryError err = alterOne(e);
        assertThat(err.errorCode()).as("%s", e).isEqualTo(ErrorCodes.INVALID_REQUEST);
        assertThat(err.errorMessage()).as("%s", e).contains(message);
    }
}
