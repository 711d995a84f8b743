package io.sluice.storage.log;

import io.sluice.storage.cleaner.CleanerConfig;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.ManualClock;
import io.sluice.storage.ResourceLeakExtension;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchDescriptor;
import io.sluice.storage.segment.SpaceReserver;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sluice.storage.log.TestLogs.batch;
import static io.sluice.storage.log.TestLogs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real full disk: a 2 MiB tmpfs mounted for the test (needs root and mount permission; skipped
 * otherwise). The append that cannot reserve space fails with KAFKA_STORAGE_ERROR, the dir goes
 * offline, the JVM survives (no SIGBUS), and everything acknowledged before is intact afterwards.
 */
@ExtendWith(ResourceLeakExtension.class)
@Timeout(120)
class DiskFullTest {

    @TempDir
    Path tmp;

    Path mountPoint;
    boolean mounted;
    final ManualClock clock = new ManualClock(1_700_000_000_000L);

    @BeforeEach
    void mountTinyFilesystem() throws Exception {
        mountPoint = tmp.resolve("tiny");
        Files.createDirectories(mountPoint);
        mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.toString()) == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (not root or no mount permission): skipping the real disk-full test");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", mountPoint.toString());
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void fullDiskFailsTheAppendWithStorageErrorAndKeepsAcknowledgedData() throws IOException {
        Path logDir = mountPoint.resolve("data");
        LogManagerConfig cfg = new LogManagerConfig(List.of(logDir), config(LogConfig.SEGMENT_BYTES, "262144"),
                300_000L, Long.MAX_VALUE, 60_000L, 60_000L, 1, 64, 64 * 1024, 256 * 1024, CleanerConfig.DEFAULTS);
        TopicPartitionId tp = new TopicPartitionId("full", 0);
        List<ByteBuffer> acked = new ArrayList<>();
        List<Path> offline = new ArrayList<>();
        try (LogManager manager = LogManager.start(cfg, clock, t -> null, SpaceReserver.detect())) {
            manager.addLogDirFailureListener(offline::add);
            PartitionLog log = manager.getOrCreate(tp, cfg.defaultLogConfig());
            short error = ErrorCode.NONE;
            for (int i = 0; i < 10_000 && error == ErrorCode.NONE; i++) {
                ByteBuffer b = batch(16, 1000, clock.millis(), i);
                AppendResult r = log.append(b, 0);
                error = r.errorCode();
                if (error == ErrorCode.NONE) {
                    acked.add(b);
                }
            }
            assertThat(ErrorCode.name(error)).isEqualTo("KAFKA_STORAGE_ERROR");
            assertThat(acked.size()).isGreaterThan(10).isLessThan(2 * 1024 / 16);
            assertThat(manager.offlineLogDirs()).containsExactly(logDir);
            assertThat(offline).containsExactly(logDir);
            assertThat(log.append(batch(1, 10, clock.millis(), 0), 0).errorCode()).isEqualTo(ErrorCode.KAFKA_STORAGE_ERROR);
        }
        try (LogManager reopened = LogManager.start(cfg, clock, t -> null, SpaceReserver.detect())) {
            assertThat(reopened.loadFailures()).isEmpty();
            PartitionLog log = reopened.get(tp).orElseThrow();
            assertThat(log.logEndOffset()).isEqualTo(16L * acked.size());
            for (int i = 0; i < acked.size(); i++) {
                try (LogReadResult r = log.read(16L * i, 100_000, true)) {
                    assertThat(r.errorCode()).isEqualTo(ErrorCode.NONE);
                    ByteBuffer stored = r.records();
                    int crcFrom = RecordBatchDescriptor.MAGIC_OFFSET;
                    assertThat(stored.slice(crcFrom, acked.get(i).remaining() - crcFrom))
                            .isEqualTo(acked.get(i).slice(crcFrom, acked.get(i).remaining() - crcFrom));
                }
            }
        }
    }
}
