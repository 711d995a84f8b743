package io.sluice.server.group.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.offsets.OffsetManager.Committed;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The monitor over fake sources and a stepped clock: one sample per second, a window of 3 commits. */
class LagMonitorTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final AtomicLong clock = new AtomicLong(0);
    private final Map<String, Map<TopicPartition, Committed>> committed = new HashMap<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final LagMonitor monitor = new LagMonitor(new LagMonitor.Settings(3, 10, 100),
            () -> Map.copyOf(committed), partitions -> Map.copyOf(ends), clock::get);

    /** At the next second: the partition's end is {@code end}, and {@code group} commits {@code offset} (if >= 0). */
    private void step(String group, long offset, long end) throws Exception {
        long now = clock.addAndGet(1000);
        ends.put(TP, end);
        if (offset >= 0) {
            committed.put(group, Map.of(TP, new Committed(offset, -1, "", now)));
        }
        monitor.sample();
    }

    private LagStatus status(String group) {
        return monitor.view().groups().get(group);
    }

    @Test
    void aGroupThatKeepsUpIsOk() throws Exception {
        step("g", 10, 10);
        step("g", 20, 25);
        step("g", 30, 32);
        assertThat(status("g")).isEqualTo(LagStatus.OK);
        assertThat(monitor.view().partitions()).singleElement().satisfies(p -> {
            assertThat(p.lagRecords()).isEqualTo(2);
            assertThat(p.committedOffset()).isEqualTo(30);
        });
    }

    @Test
    void aSlowGroupWhoseLagGrowsAtEveryCommitIsAWarning() throws Exception {
        step("g", 10, 20);
        step("g", 15, 30);
        step("g", 20, 40);
        assertThat(status("g")).isEqualTo(LagStatus.WARNING);
    }

    @Test
    void aGroupCommittingTheSameOffsetIsStalled() throws Exception {
        step("g", 10, 20);
        step("g", 10, 30);
        step("g", 10, 40);
        assertThat(status("g")).isEqualTo(LagStatus.STALLED);
    }

    @Test
    void aGroupThatStopsCommittingWhileTheEndMovesIsStoppedOnceTheWindowHasPassed() throws Exception {
        step("g", 10, 20);
        step("g", 20, 30);
        step("g", 30, 35); // commits at 1 s, 2 s, 3 s: the window spans 2 s
        step("g", -1, 40);
        step("g", -1, 45);
        assertThat(status("g")).as("2 s after the last commit").isNotEqualTo(LagStatus.STOPPED);
        step("g", -1, 50);
        assertThat(status("g")).isEqualTo(LagStatus.STOPPED);
        assertThat(monitor.view().partitions()).singleElement().satisfies(p -> assertThat(p.lagRecords()).isEqualTo(20));
    }

    @Test
    void timeLagDatesTheNextUnreadRecordByTheSampledEnds() throws Exception {
        step("g", 0, 100);   // 1 s: end 100
        step("g", 0, 200);   // 2 s: end 200
        step("g", 150, 300); // 3 s: record 150 was appended between 1 s and 2 s: about 1.5 s ago
        assertThat(monitor.view().partitions()).singleElement()
                .satisfies(p -> assertThat(p.timeLagMs()).isEqualTo(1500));
        step("g", 300, 300);
        assertThat(monitor.view().partitions()).singleElement().satisfies(p -> assertThat(p.timeLagMs()).isZero());
    }

    @Test
    void aGroupWhoseOffsetsAreGoneIsForgotten() throws Exception {
        step("g", 10, 20);
        committed.clear();
        step("h", 5, 20);
        assertThat(monitor.view().groups()).containsOnlyKeys("h");
    }

    @Test
    void followsNoMorePartitionsThanItsBound() throws Exception {
        LagMonitor bounded = new LagMonitor(new LagMonitor.Settings(3, 10, 1), () -> Map.of(
                "a", Map.of(TP, new Committed(1, -1, "", 0)), "b", Map.of(TP, new Committed(1, -1, "", 0))),
                partitions -> Map.of(TP, 5L), clock::get);
        bounded.sample();
        assertThat(bounded.view().partitions()).hasSize(1);
    }
}
