package io.sluice.server.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.ClientQuotaEntity.Component;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Kafka's DefaultQuotaCallback: which entity's quota a client gets and which sensor it shares. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class QuotaOverridesTest {
    private static final String KEY = QuotaKeys.PRODUCER_BYTE_RATE;
    private static final String U = BrokerQuotas.USER;

    private final Map<ClientQuotaEntity, Map<String, Double>> image = new HashMap<>();

    private void set(double bound, Component... components) {
        image.put(ClientQuotaEntity.of(components), Map.of(KEY, bound));
    }

    private static Component user(String name) {
        return new Component(ClientQuotaEntity.USER, name);
    }

    private static Component client(String name) {
        return new Component(ClientQuotaEntity.CLIENT_ID, name);
    }

    private Double limitOf(String clientId) {
        QuotaOverrides o = QuotaOverrides.of(image, KEY);
        return o.limit(o.tags(U, clientId));
    }

    @Test
    void noQuotaMeansUnlimitedAndClientIdTags() {
        QuotaOverrides o = QuotaOverrides.of(image, KEY);
        assertThat(o.isEmpty()).isTrue();
        assertThat(o.tags(U, "app")).isEqualTo(new QuotaTags("", "app"));
        assertThat(o.limit(o.tags(U, "app"))).isNull();
    }

    @Test
    void eachLevelOfThePrecedenceWinsOverTheOnesBelowIt() {
        // Added from the weakest to the strongest; each addition must take over.
        set(8, client(null));
        assertThat(limitOf("app")).isEqualTo(8.0);
        set(7, client("app"));
        assertThat(limitOf("app")).isEqualTo(7.0);
        assertThat(limitOf("other")).isEqualTo(8.0);
        set(6, user(null));
        assertThat(limitOf("app")).isEqualTo(6.0);
        set(5, user(null), client(null));
        assertThat(limitOf("app")).isEqualTo(5.0);
        set(4, user(null), client("app"));
        assertThat(limitOf("app")).isEqualTo(4.0);
        assertThat(limitOf("other")).isEqualTo(5.0);
        set(3, user(U));
        assertThat(limitOf("app")).isEqualTo(3.0);
        set(2, user(U), client(null));
        assertThat(limitOf("app")).isEqualTo(2.0);
        set(1, user(U), client("app"));
        assertThat(limitOf("app")).isEqualTo(1.0);
        assertThat(limitOf("other")).isEqualTo(2.0);
    }

    @Test
    void aDefaultQuotaIsSharedPerClientIdButAUserQuotaIsSharedByAllClients() {
        set(100, client(null));
        QuotaOverrides byClient = QuotaOverrides.of(image, KEY);
        // Each client id has its own sensor with the default bound.
        assertThat(byClient.tags(U, "a")).isEqualTo(new QuotaTags("", "a"));
        assertThat(byClient.tags(U, "b")).isEqualTo(new QuotaTags("", "b"));

        image.clear();
        set(100, user(U));
        QuotaOverrides byUser = QuotaOverrides.of(image, KEY);
        // Every client of the user records into one sensor: one quota for them all.
        assertThat(byUser.tags(U, "a")).isEqualTo(new QuotaTags(U, "")).isEqualTo(byUser.tags(U, "b"));
        assertThat(byUser.limit(byUser.tags(U, "a"))).isEqualTo(100.0);
    }

    @Test
    void mixedShapesWalkKafkasOrderForTheTags() {
        set(10, user(U));
        set(20, client("app"));
        QuotaOverrides o = QuotaOverrides.of(image, KEY);
        assertThat(o.tags(U, "app")).isEqualTo(new QuotaTags(U, ""));
        assertThat(o.limit(o.tags(U, "app"))).isEqualTo(10.0);

        image.clear();
        set(10, user("someone-else"));
        set(20, client("app"));
        o = QuotaOverrides.of(image, KEY);
        assertThat(o.tags(U, "app")).isEqualTo(new QuotaTags("", "app"));
        assertThat(o.limit(o.tags(U, "app"))).isEqualTo(20.0);
        assertThat(o.limit(o.tags(U, "other"))).isNull();
    }

    @Test
    void otherKeysOfTheSameEntityAreNotThisQuota() {
        image.put(ClientQuotaEntity.of(client("app")), Map.of(QuotaKeys.CONSUMER_BYTE_RATE, 5.0));
        assertThat(QuotaOverrides.of(image, KEY).isEmpty()).isTrue();
        assertThat(QuotaOverrides.of(image, QuotaKeys.CONSUMER_BYTE_RATE).isEmpty()).isFalse();
    }
}
