package io.sluice.storage;

import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** The leak check itself must be able to fail: each fixture leaks one kind of resource. */
@Timeout(60)
class ResourceLeakExtensionTest {

    static final CountDownLatch STOP_LEAKED_THREAD = new CountDownLatch(1);
    static LogManager leakedManager;
    static FileChannel leakedChannel;

    /** Deliberately leaky tests, run only through the launcher below (surefire skips nested classes). */
    @ExtendWith(ResourceLeakExtension.class)
    static class Fixtures {
        @TempDir
        Path dir;

        @Test
        void leaksAMapping() {
            leakedManager = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), t -> null);
            leakedManager.getOrCreate(new TopicPartitionId("leak", 0), LogConfig.DEFAULTS);
        }

        @Test
        void leaksAFile() throws IOException {
            leakedChannel = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }

        @Test
        void leaksAThread() {
            Thread t = new Thread(() -> {
                try {
                    STOP_LEAKED_THREAD.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "leaky-thread");
            t.start();
        }

        @Test
        void leaksNothing() {
        }
    }

    private static TestExecutionSummary run(String method) {
        LauncherDiscoveryRequest req = request().selectors(selectMethod(Fixtures.class, method)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(req, listener);
        return listener.getSummary();
    }

    @Test
    void failsATestThatLeaksAMappingOrAFileOrAThreadAndPassesACleanOne() throws IOException {
        try {
            for (String leaky : List.of("leaksAMapping", "leaksAFile", "leaksAThread")) {
                TestExecutionSummary s = run(leaky);
                assertThat(s.getTotalFailureCount()).as(leaky).isEqualTo(1);
                assertThat(s.getFailures().get(0).getException()).hasMessageContaining("resource leak");
            }
            assertThat(run("leaksNothing").getTotalFailureCount()).isZero();
        } finally {
            STOP_LEAKED_THREAD.countDown();
            if (leakedManager != null) {
                leakedManager.close();
            }
            if (leakedChannel != null) {
                leakedChannel.close();
            }
        }
    }
}
