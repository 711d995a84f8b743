package io.sluice.server.handler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class TopicConfigSupportTest {

    @Test
    void aMinCompactionLagAboveTheMaxIsRefusedWithKafkasMessage() {
        assertThat(TopicConfigSupport.conflict(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")))
                .isEqualTo("conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
        assertThat(TopicConfigSupport.conflict(Map.of("min.compaction.lag.ms", "5", "max.compaction.lag.ms", "5"))).isNull();
        assertThat(TopicConfigSupport.conflict(Map.of("min.compaction.lag.ms", "10"))).isNull();
        assertThat(TopicConfigSupport.conflict(Map.of("min.compaction.lag.ms", "x", "max.compaction.lag.ms", "5")))
                .as("a value that does not parse is the per-setting validation's").isNull();
    }
}
