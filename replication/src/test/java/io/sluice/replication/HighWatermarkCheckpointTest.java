package io.sluice.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataDelta;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.storage.ErrorCode;
import io.sluice.storage.TopicPartitionId;
import io.sluice.storage.batch.RecordBatchBuilder;
import io.sluice.storage.log.LogConfig;
import io.sluice.storage.log.LogManager;
import io.sluice.storage.log.LogManagerConfig;
import io.sluice.storage.log.LogReadResult;
import io.sluice.storage.log.OffsetCheckpoints;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The high watermark survives a restart through {@code replication-offset-checkpoint}: a broker
 * (logs and replica manager) is closed and started again over the same dir, and its partition
 * serves what was committed before any follower fetched again.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HighWatermarkCheckpointTest {

    private static final int LEADER = 1;
    private static final int FOLLOWER = 2;
    /** Longer than any test: only close (and explicit calls) write the file. */
    private static final long INTERVAL_MS = 3_600_000;

    @TempDir
    Path dir;

    private final LogConfig config = LogConfig.fromBrokerProperties(Map.of());
    private final TopicImage topic = topic("t");
    private LogManager logs;
    private ReplicaManager replicas;

    @AfterEach
    void stop() {
        if (replicas != null) {
            replicas.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static TopicImage topic(String name) {
        PartitionImage led = new PartitionImage(0, new int[] {LEADER, FOLLOWER}, new int[] {LEADER, FOLLOWER}, LEADER, 3, 5);
        return new TopicImage(name, UUID.randomUUID(), new PartitionImage[] {led}, Map.of());
    }

    /** Starts a broker over {@code dir} that leads {@code topics} with a follower in the ISR. */
    private Partition startLeading(TopicImage... topics) throws Exception {
        return startLeading(INTERVAL_MS, topics);
    }

    private Partition startLeading(long intervalMs, TopicImage... topics) throws Exception {
        logs = LogManager.start(LogManagerConfig.defaults(List.of(dir)), Clock.systemUTC(), t -> config);
        replicas = new ReplicaManager(new ReplicaManager.Settings(LEADER, 30_000, 86_400_000, null, intervalMs), logs,
                new TestQuorum(), () -> 10, (image, t) -> config, t -> 1, new TestQuorum.NoFetching(), Clock.systemUTC());
        ImageBuilder image = new ImageBuilder(MetadataImage.empty("test"));
        for (TopicImage t : topics) {
            image.putTopic(t);
        }
        replicas.onMetadata(image.build(), null);
        awaitApplied();
        return replicas.partition(topics[0].name(), 0);
    }

    private void awaitApplied() throws Exception {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        replicas.afterPendingChanges(() -> applied.complete(null));
        applied.get(10, TimeUnit.SECONDS);
    }

    private void restart() {
        replicas.close();
        logs.close();
        replicas = null;
        logs = null;
    }

    /** A leader with {@code committed} records that the follower has and {@code uncommitted} more that it lacks. */
    private static void produce(Partition leader, int committed, int uncommitted) {
        append(leader, committed);
        leader.recordFollowerFetch(FOLLOWER, 7, leader.logEndOffset(), 0, 0);
        if (uncommitted > 0) {
            append(leader, uncommitted);
        }
        assertThat(leader.highWatermark()).isEqualTo(committed);
        assertThat(leader.logEndOffset()).isEqualTo(committed + uncommitted);
    }

    private static void append(Partition leader, int records) {
        long now = System.currentTimeMillis();
        RecordBatchBuilder b = RecordBatchBuilder.create(0, now);
        for (int i = 0; i < records; i++) {
            b.add(null, new byte[10], now);
        }
        ByteBuffer batch = b.build();
        assertThat(leader.append(batch, (short) 1, 30_000).toCompletableFuture().join().errorCode())
                .isEqualTo(ErrorCode.NONE);
    }

    private Path checkpointFile() {
        return dir.resolve(HighWatermarkCheckpoints.FILE_NAME);
    }

    @Test
    void aRestartedLeaderServesWhatWasCommittedBeforeItsIsrFetches() throws Exception {
        produce(startLeading(topic), 5, 3);
        restart();
        assertThat(OffsetCheckpoints.read(checkpointFile())).containsEntry(new TopicPartitionId("t", 0), 5L);

        Partition leader = startLeading(topic);
        assertThat(leader.isLeader()).isTrue();
        assertThat(leader.logEndOffset()).isEqualTo(8);
        assertThat(leader.highWatermark()).as("restored, not the log start, and not past what was committed")
                .isEqualTo(5);
        try (LogReadResult read = leader.readCommitted(0, 1 << 20, true)) {
            assertThat(read.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(read.sizeInBytes()).isPositive();
        }
        leader.recordFollowerFetch(FOLLOWER, 8, 8, 0, 0);
        assertThat(leader.highWatermark()).as("moves on from there").isEqualTo(8);
    }

    @Test
    void theRestoredHighWatermarkIsCappedByTheLogEndAndFloredByTheLogStart() throws Exception {
        Partition leader = startLeading(topic);
        produce(leader, 5, 3);
        leader.log().deleteRecords(4);
        restart();
        TopicPartitionId tp = new TopicPartitionId("t", 0);

        OffsetCheckpoints.write(checkpointFile(), Map.of(tp, 100L)); // beyond what a crash left in the log
        assertThat(startLeading(topic).highWatermark()).isEqualTo(8);
        restart();

        OffsetCheckpoints.write(checkpointFile(), Map.of(tp, 1L)); // below a log start moved since
        assertThat(startLeading(topic).highWatermark()).isEqualTo(4);
    }

    @Test
    void anUnreadableCheckpointIsLoggedAndTheHighWatermarkStartsAtTheLogStartWithTheDataKept() throws Exception {
        produce(startLeading(topic), 5, 3);
        restart();
        Files.writeString(checkpointFile(), "0\n2\nt 0 5\n"); // truncated: two entries announced, one there

        Logger logger = (Logger) LoggerFactory.getLogger(HighWatermarkCheckpoints.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        Partition leader;
        try {
            leader = startLeading(topic);
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains(checkpointFile().toString()).contains("log start offset");
        });
        assertThat(leader.highWatermark()).as("safe: only delays exposure").isZero();
        assertThat(leader.logEndOffset()).as("no record lost").isEqualTo(8);
        try (LogReadResult read = leader.readForFollower(0, 1 << 20, true)) {
            assertThat(read.errorCode()).isEqualTo(ErrorCode.NONE);
            assertThat(read.sizeInBytes()).isPositive();
        }
        leader.recordFollowerFetch(FOLLOWER, 8, 8, 0, 0);
        assertThat(leader.highWatermark()).isEqualTo(8);
        restart();
        assertThat(OffsetCheckpoints.read(checkpointFile())).as("rewritten whole")
                .containsEntry(new TopicPartitionId("t", 0), 8L);
    }

    @Test
    void aDeletedTopicDropsOutOfTheFile() throws Exception {
        TopicImage other = topic("u");
        Partition leader = startLeading(topic, other);
        produce(leader, 2, 0);
        produce(replicas.partition("u", 0), 4, 0);
        replicas.checkpointHighWatermarks();
        assertThat(OffsetCheckpoints.read(checkpointFile())).containsOnlyKeys(
                new TopicPartitionId("t", 0), new TopicPartitionId("u", 0));

        MetadataImage without = new ImageBuilder(MetadataImage.empty("test")).putTopic(topic).build();
        replicas.onMetadata(without, new MetadataDelta(1, false, Set.of(), List.of(other), List.of(), Set.of(), false));
        awaitApplied();
        replicas.checkpointHighWatermarks();

        assertThat(OffsetCheckpoints.read(checkpointFile())).containsOnlyKeys(new TopicPartitionId("t", 0));
    }

    @Test
    void aLogNotYetHeldByAReplicaKeepsItsEntry() throws Exception {
        TopicImage other = topic("u");
        startLeading(topic, other);
        produce(replicas.partition("u", 0), 4, 0);
        restart();

        startLeading(topic); // "u" not (yet) in this broker's image: its log stays, and so does its entry
        replicas.checkpointHighWatermarks();

        assertThat(OffsetCheckpoints.read(checkpointFile())).containsEntry(new TopicPartitionId("u", 0), 4L);
    }

    @Test
    void theFileIsRewrittenOnTheInterval() throws Exception {
        Partition leader = startLeading(10, topic);
        produce(leader, 5, 3);
        // No timing asserted: the schedule alone (no close, no explicit call) must bring the file there.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(OffsetCheckpoints.read(checkpointFile()))
                .containsEntry(new TopicPartitionId("t", 0), 5L));
    }

    @Test
    void aFailedWriteIsLoggedAndTheBrokerGoesOn() throws Exception {
        Partition leader = startLeading(topic);
        produce(leader, 5, 0);
        // A non-empty directory where the file goes: the rename of the written temp file fails.
        Files.createDirectories(checkpointFile());
        Files.writeString(checkpointFile().resolve("blocker"), "x");

        Logger logger = (Logger) LoggerFactory.getLogger(HighWatermarkCheckpoints.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            replicas.checkpointHighWatermarks();
        } finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains(checkpointFile().toString());
        });
        append(leader, 2);
        assertThat(leader.logEndOffset()).as("the partition still takes appends").isEqualTo(7);
    }
}
