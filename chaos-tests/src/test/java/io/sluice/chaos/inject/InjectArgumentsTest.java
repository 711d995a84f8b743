package io.sluice.chaos.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The values {@code chaos inject} reads from its command line and from /proc, without any process. */
@Timeout(10)
class InjectArgumentsTest {

    @Test
    void partitionSidesAreSplitAtTheBar() {
        PartitionSides s = PartitionSides.parse("1|2,3");
        assertEquals(Set.of(1), s.left());
        assertEquals(Set.of(2, 3), s.right());
        assertEquals(Set.of(2, 3), s.across(1));
        assertEquals(Set.of(1), s.across(3));
        assertEquals("1|2,3", s.toString());
        assertEquals("1,2|3", PartitionSides.parse(" 2, 1 | 3 ").toString());
    }

    @Test
    void malformedPartitionsAreRefusedSayingWhy() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PartitionSides.parse("1,2,3")).getMessage()
                .contains("'|'"));
        assertThrows(IllegalArgumentException.class, () -> PartitionSides.parse("1|2|3"));
        assertThrows(IllegalArgumentException.class, () -> PartitionSides.parse("|2,3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PartitionSides.parse("1,2|2,3")).getMessage()
                .contains("node 2 is on both sides"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PartitionSides.parse("1|x")).getMessage()
                .contains("'x'"));
    }

    @Test
    void durationsTakeAUnit() {
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMillis(200), Durations.parse("200ms"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1H"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
        assertEquals("10s", Durations.format(Duration.ofSeconds(10)));
        assertEquals("200ms", Durations.format(Duration.ofMillis(200)));
    }

    @Test
    void aTopicPartitionSplitsAtTheLastDash() {
        assertEquals(new TopicPartition("orders", 0), TopicPartitions.parse("orders-0"));
        assertEquals(new TopicPartition("my-orders", 12), TopicPartitions.parse("my-orders-12"));
        assertThrows(IllegalArgumentException.class, () -> TopicPartitions.parse("orders"));
        assertThrows(IllegalArgumentException.class, () -> TopicPartitions.parse("orders-"));
        assertThrows(IllegalArgumentException.class, () -> TopicPartitions.parse("orders-x"));
        assertThrows(IllegalArgumentException.class, () -> TopicPartitions.parse("-0"));
    }

    @Test
    void theCgroup2MountAndAProcessGroupAreReadFromProcText() {
        String mounts = """
                tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
                cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
                cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
                """;
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), NodeCgroups.parseMounts(mounts));
        assertEquals(Optional.empty(), NodeCgroups.parseMounts("cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n"));
        assertEquals(Optional.of("sluice/node-2"), NodeCgroups.parseProcCgroup("""
                4:memory:/process_api/f8
                1:cpu:/
                0::/sluice/node-2
                """));
        assertEquals(Optional.of(""), NodeCgroups.parseProcCgroup("0::/\n"));
        assertEquals("sluice/node-3", NodeCgroups.nodePath(3));
    }
}
