package io.sluice.storage.log;

import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.segment.MappingCache;
import io.sluice.storage.segment.SegmentEnvironment;
import io.sluice.storage.segment.SpaceReserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Helpers to open standalone logs in tests. */
final class TestLogs {

    static final TopicPartitionId TP = new TopicPartitionId("t", 0);

    private TestLogs() {
    }

    static SegmentEnvironment env(int mappedSegmentsMax) {
        return new SegmentEnvironment(new MappingCache(mappedSegmentsMax), SpaceReserver.detect(), 4096, 64 * 1024);
    }

    static LogConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return LogConfig.fromMap(m);
    }

    static MappedPartitionLog open(Path dir, LogConfig cfg, SegmentEnvironment env, Clock clock, long recoveryPoint,
                                   long logStartOffset) throws IOException {
        return LogLoader.load(dir.resolve(TP.dirName()), TP, cfg, env, clock, recoveryPoint, logStartOffset,
                (log, e) -> { });
    }

    /** A batch of {@code records} records of {@code valueBytes} bytes, values derived from {@code seed}. */
    static ByteBuffer batch(int records, int valueBytes, long timestamp, long seed) {
        return RecordBatchBuilder.batch(records, valueBytes, timestamp, seed);
    }
}
