package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.replication.role.FollowerRole;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.log.LogReadResult;
import io.sluice.storage.log.PartitionLog;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PartitionTest {
    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /**
     * Found by the chaos suite (power loss, flush.messages=1: one offset read with two values): the
     * log's end moved before the append's flush, so a fetch could read a record a power loss then
     * took back. Readers must see an append only once it returned, flush included.
     */
    @Test
    void anAppendIsInvisibleToReadersUntilItAndItsFlushReturn() throws Exception {
        LogConfig config = LogConfig.fromBrokerProperties(Map.of("log.flush.interval.messages", "1"));
        try (LogManager logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(),
            topic -> config)) {
            PartitionLog real = logs.getOrCreate(new TopicPartitionId("t", 0), config);
            CountDownLatch appendedNotReturned = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger appends = new AtomicInteger();
            PartitionLog slowFlush = (PartitionLog) Proxy.newProxyInstance(PartitionLog.class.getClassLoader(),
                new Class<?>[] {PartitionLog.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(real, args);
                        if (method.getName().equals("append") && appends.incrementAndGet() == 2) {
                            appendedNotReturned.countDown(); // as if the flush inside append were still running
                            release.await();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            Partition p = new Partition(new TopicPartitionId("t", 0), UUID.randomUUID(), slowFlush,
                new FollowerRole(-1, -1), new DelayedProduces(timer));
            p.becomeLeader(0, 0, 0, new int[] {0}, new int[] {0}, 0);
            assertThat(p.appendAsLeader(RecordBatchBuilder.batch(3, 10, System.currentTimeMillis(), 1)).errorCode())
                .isEqualTo(ErrorCode.NONE);
            assertThat(p.highWatermark()).isEqualTo(3);

            CompletableFuture<Partition.Append> second = CompletableFuture.supplyAsync(
                () -> p.appendAsLeader(RecordBatchBuilder.batch(2, 10, System.currentTimeMillis(), 2)));
            assertThat(appendedNotReturned.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(real.logEndOffset()).isEqualTo(5);
            assertThat(p.highWatermark()).as("not yet returned").isEqualTo(3);
            try (LogReadResult r = real.read(3, 1 << 20, true, p.highWatermark())) {
                assertThat(r.sizeInBytes()).as("a fetch bounded by the high watermark").isZero();
            }

            release.countDown();
            assertThat(second.get(10, TimeUnit.SECONDS).errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(p.highWatermark()).isEqualTo(5);
        }
    }
}
