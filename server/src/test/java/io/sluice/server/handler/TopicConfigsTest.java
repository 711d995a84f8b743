package io.sluice.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.config.ServerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Values in force and their synonyms, in Kafka's order (DescribeConfigs with include_synonyms). */
@Timeout(10)
class TopicConfigsTest {

    private static TopicConfigs configs(String... keyValues) {
        Map<String, String> m = new HashMap<>(Map.of("node.id", "1", "log.dirs", "/tmp/x"));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new TopicConfigs(ServerConfig.parse(m));
    }

    private static TopicConfigs.Entry entry(List<TopicConfigs.Entry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void retentionListsEverySourceInKafkasOrderAndTheFirstIsInForce() {
        TopicConfigs c = configs("log.retention.hours", "24");
        TopicConfigs.Entry e = entry(c.describeTopic(Map.of("retention.ms", "1000"), Map.of("log.retention.ms", "2000"),
                Map.of("log.retention.ms", "3000")), "retention.ms");
        assertThat(e.value()).isEqualTo("1000");
        assertThat(e.source()).isEqualTo(TopicConfigs.TOPIC_CONFIG);
        assertThat(e.synonyms()).containsExactly(
                new TopicConfigs.Synonym("retention.ms", "1000", TopicConfigs.TOPIC_CONFIG),
                new TopicConfigs.Synonym("log.retention.ms", "2000", TopicConfigs.DYNAMIC_BROKER_CONFIG),
                new TopicConfigs.Synonym("log.retention.ms", "3000", TopicConfigs.DYNAMIC_DEFAULT_BROKER_CONFIG),
                new TopicConfigs.Synonym("log.retention.hours", "24", TopicConfigs.STATIC_BROKER_CONFIG),
                new TopicConfigs.Synonym("log.retention.hours", "168", TopicConfigs.DEFAULT_CONFIG));
    }

    @Test
    void aBrokerSynonymInHoursGivesTheTopicValueInMs() {
        TopicConfigs.Entry e = entry(configs("log.retention.hours", "24").describeTopic(Map.of(), Map.of(), Map.of()),
                "retention.ms");
        assertThat(e.value()).isEqualTo(Long.toString(24 * 3_600_000L));
        assertThat(e.source()).isEqualTo(TopicConfigs.STATIC_BROKER_CONFIG);
        TopicConfigs.Entry roll = entry(configs().describeTopic(Map.of(), Map.of(), Map.of()), "segment.ms");
        assertThat(roll.value()).isEqualTo("604800000");
        assertThat(roll.source()).isEqualTo(TopicConfigs.DEFAULT_CONFIG);
    }

    @Test
    void aStoredDynamicValueSluiceDoesNotApplyIsNotDescribed() {
        TopicConfigs.Entry e = entry(configs().describeBroker(Map.of(), Map.of("num.io.threads", "4")), "num.io.threads");
        assertThat(e.value()).isEqualTo("8");
        assertThat(e.source()).isEqualTo(TopicConfigs.DEFAULT_CONFIG);
        assertThat(e.readOnly()).isTrue();
        TopicConfigs.Entry minIsr = entry(configs().describeTopic(Map.of(), Map.of(), Map.of("min.insync.replicas", "2")),
                "min.insync.replicas");
        assertThat(minIsr.value()).isEqualTo("1");
    }

    @Test
    void theReplicationThrottleRatesAreDescribedDynamicOrAsKafkasUnthrottledDefault() {
        TopicConfigs c = configs();
        TopicConfigs.Entry unset = entry(c.describeBroker(Map.of(), Map.of()), "leader.replication.throttled.rate");
        assertThat(unset.value()).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(unset.source()).isEqualTo(TopicConfigs.DEFAULT_CONFIG);
        assertThat(unset.readOnly()).isFalse();
        TopicConfigs.Entry set = entry(c.describeBroker(Map.of("follower.replication.throttled.rate", "100"),
                Map.of("follower.replication.throttled.rate", "200")), "follower.replication.throttled.rate");
        assertThat(set.value()).isEqualTo("100");
        assertThat(set.source()).isEqualTo(TopicConfigs.DYNAMIC_BROKER_CONFIG);
        assertThat(set.synonyms()).containsExactly(
                new TopicConfigs.Synonym("follower.replication.throttled.rate", "100", TopicConfigs.DYNAMIC_BROKER_CONFIG),
                new TopicConfigs.Synonym("follower.replication.throttled.rate", "200", TopicConfigs.DYNAMIC_DEFAULT_BROKER_CONFIG),
                new TopicConfigs.Synonym("follower.replication.throttled.rate", Long.toString(Long.MAX_VALUE),
                        TopicConfigs.DEFAULT_CONFIG));
    }

    @Test
    void aTopicsThrottledReplicaListsAreDescribedEmptyByDefault() {
        List<TopicConfigs.Entry> entries = configs().describeTopic(Map.of("leader.replication.throttled.replicas", "*"),
                Map.of(), Map.of());
        assertThat(entry(entries, "leader.replication.throttled.replicas").value()).isEqualTo("*");
        assertThat(entry(entries, "leader.replication.throttled.replicas").source()).isEqualTo(TopicConfigs.TOPIC_CONFIG);
        TopicConfigs.Entry follower = entry(entries, "follower.replication.throttled.replicas");
        assertThat(follower.value()).isEmpty();
        assertThat(follower.source()).isEqualTo(TopicConfigs.DEFAULT_CONFIG);
    }
}
