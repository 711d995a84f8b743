package io.sluice.storage.log;

import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.cleaner.CompactionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class LogConfigTest {

    @Test
    void defaultsAreKafkas() {
        LogConfig d = LogConfig.DEFAULTS;
        assertThat(d.segmentBytes()).isEqualTo(1 << 30);
        assertThat(d.segmentMs()).isEqualTo(604_800_000L);
        assertThat(d.indexIntervalBytes()).isEqualTo(4096);
        assertThat(d.segmentIndexBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(d.maxMessageBytes()).isEqualTo(1_048_588);
        assertThat(d.flushMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(d.flushMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(d.retentionMs()).isEqualTo(604_800_000L);
        assertThat(d.retentionBytes()).isEqualTo(-1);
        assertThat(d.logAppendTime()).isFalse();
    }

    @Test
    void compactionSettingsHaveKafkasNamesAndDefaults() {
        LogConfig d = LogConfig.DEFAULTS;
        assertThat(d.deleteRetentionMs()).isEqualTo(86_400_000L);
        assertThat(d.minCompactionLagMs()).isZero();
        assertThat(d.maxCompactionLagMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(d.minCleanableDirtyRatio()).isEqualTo(0.5);
        LogConfig broker = LogConfig.fromBrokerProperties(Map.of("log.cleaner.delete.retention.ms", "5",
                "log.cleaner.min.compaction.lag.ms", "6", "log.cleaner.max.compaction.lag.ms", "7",
                "log.cleaner.min.cleanable.ratio", "0.25"));
        assertThat(List.of(broker.deleteRetentionMs(), broker.minCompactionLagMs(), broker.maxCompactionLagMs()))
                .containsExactly(5L, 6L, 7L);
        assertThat(broker.minCleanableDirtyRatio()).isEqualTo(0.25);
        LogConfig topic = broker.overriddenBy(Map.of("delete.retention.ms", "50", "min.compaction.lag.ms", "60",
                "max.compaction.lag.ms", "70", "min.cleanable.dirty.ratio", "0.75", "cleanup.policy", "compact,delete"));
        assertThat(topic.compactionConfig()).isEqualTo(new CompactionConfig(true, 50, 60, 70, 0.75, topic.segmentBytes(),
                topic.offsetIndexEntriesMax(), topic.indexIntervalBytes()));
        assertThat(topic.cleanupDelete()).isTrue();
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("min.cleanable.dirty.ratio", "1.5")))
                .hasMessageContaining("min.cleanable.dirty.ratio");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("delete.retention.ms", "-1")))
                .hasMessageContaining("delete.retention.ms");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("max.compaction.lag.ms", "0")))
                .hasMessageContaining("max.compaction.lag.ms");
    }

    @Test
    void cleanerSettingsHaveKafkasNamesAndDefaults() {
        CleanerConfig d = LogManagerConfig.fromBrokerProperties(Map.of("log.dirs", "/x")).cleanerConfig();
        assertThat(d).isEqualTo(new CleanerConfig(true, 1, 134_217_728L, 524_288, 0.9, Double.MAX_VALUE, 15_000L));
        CleanerConfig set = CleanerConfig.fromBrokerProperties(Map.of("log.cleaner.enable", "false",
                "log.cleaner.threads", "2", "log.cleaner.dedupe.buffer.size", "1048576", "log.cleaner.io.buffer.size", "1024",
                "log.cleaner.io.buffer.load.factor", "0.5", "log.cleaner.io.max.bytes.per.second", "100",
                "log.cleaner.backoff.ms", "7"));
        assertThat(set).isEqualTo(new CleanerConfig(false, 2, 1_048_576L, 1024, 0.5, 100, 7));
        assertThatThrownBy(() -> CleanerConfig.fromBrokerProperties(Map.of("log.cleaner.threads", "-1")))
                .hasMessageContaining("log.cleaner.threads");
        assertThatThrownBy(() -> CleanerConfig.fromBrokerProperties(Map.of("log.cleaner.dedupe.buffer.size", "10")))
                .hasMessageContaining("log.cleaner.dedupe.buffer.size");
        assertThatThrownBy(() -> CleanerConfig.fromBrokerProperties(Map.of("log.cleaner.io.buffer.load.factor", "0")))
                .hasMessageContaining("log.cleaner.io.buffer.load.factor");
    }

    @Test
    void anyNegativeRetentionBytesMeansNoLimitAsInKafka() {
        assertThat(LogConfig.fromMap(Map.of("retention.bytes", "-2")).retentionBytes()).isEqualTo(-1);
        assertThat(LogConfig.fromMap(Map.of("retention.bytes", Long.toString(Long.MIN_VALUE))).retentionBytes()).isEqualTo(-1);
        assertThat(LogConfig.fromMap(Map.of("retention.bytes", "0")).retentionBytes()).isZero();
    }

    @Test
    void aSegmentIndexSmallerThanOneEntryThatKafkaAcceptsIsRaisedToOneEntry() {
        assertThat(LogConfig.fromMap(Map.of("segment.index.bytes", "4")).segmentIndexBytes())
                .isEqualTo(LogConfig.SEGMENT_INDEX_BYTES_MIN);
    }

    @Test
    void topicConfigsOverrideBrokerDefaults() {
        LogConfig broker = LogConfig.fromBrokerProperties(Map.of("log.segment.bytes", "1048576", "log.retention.hours", "1",
                "log.roll.hours", "2", "message.max.bytes", "5000"));
        assertThat(broker.segmentBytes()).isEqualTo(1_048_576);
        assertThat(broker.retentionMs()).isEqualTo(3_600_000L);
        assertThat(broker.segmentMs()).isEqualTo(7_200_000L);
        assertThat(broker.maxMessageBytes()).isEqualTo(5000);
        LogConfig topic = broker.overriddenBy(Map.of("retention.ms", "-1", "message.timestamp.type", "LogAppendTime",
                "compression.type", "zstd"));
        assertThat(topic.retentionMs()).isEqualTo(-1);
        assertThat(topic.logAppendTime()).isTrue();
        assertThat(topic.segmentBytes()).isEqualTo(1_048_576);
        assertThat(LogConfig.fromBrokerProperties(Map.of("log.retention.ms", "5", "log.retention.hours", "9")).retentionMs())
                .isEqualTo(5);
    }

    @Test
    void invalidValuesNameTheSetting() {
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("segment.bytes", "abc"))).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("segment.bytes", "10"))).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("retention.ms", "-2"))).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("flush.messages", "0"))).hasMessageContaining("flush.messages");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("message.timestamp.type", "Other")))
                .hasMessageContaining("message.timestamp.type");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("max.message.bytes", "99999999999")))
                .hasMessageContaining("max.message.bytes");
        assertThatThrownBy(() -> LogManagerConfig.fromBrokerProperties(Map.of("log.dirs", "/x",
                "log.retention.check.interval.ms", "0"))).hasMessageContaining("log.retention.check.interval.ms");
        assertThatThrownBy(() -> LogManagerConfig.fromBrokerProperties(Map.of())).hasMessageContaining("log.dirs");
    }

    @Test
    void logManagerConfigReadsKafkaNames() {
        LogManagerConfig c = LogManagerConfig.fromBrokerProperties(Map.of("log.dirs", "/a, /b",
                "log.retention.check.interval.ms", "1000", "num.recovery.threads.per.data.dir", "4"));
        assertThat(c.logDirs()).containsExactly(Path.of("/a"), Path.of("/b"));
        assertThat(c.retentionCheckIntervalMs()).isEqualTo(1000);
        assertThat(c.recoveryThreadsPerDataDir()).isEqualTo(4);
        assertThat(LogManagerConfig.defaults(c.logDirs()).retentionCheckIntervalMs()).isEqualTo(300_000);
    }
}
