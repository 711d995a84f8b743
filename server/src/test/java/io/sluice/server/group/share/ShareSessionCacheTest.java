package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Share session epochs, the session limit and idle eviction, on a stepped clock. */
class ShareSessionCacheTest {

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<String> ended = new ArrayList<>();
    private final TopicIdPartition tp = new TopicIdPartition(Uuid.randomUuid(), 0, null);
    private final TopicIdPartition tp2 = new TopicIdPartition(Uuid.randomUuid(), 1, null);

    private ShareSessionCache cache(int max) {
        return new ShareSessionCache(max, 45_000, clock::get, (k, parts, unused) -> ended.add(k.memberId() + parts.size()));
    }

    @Test
    void epochsMoveByOneAndTheFinalEpochCloses() {
        ShareSessionCache c = cache(10);
        assertThat(c.fetch("g", "m", 0, List.of(tp), List.of()).partitions()).containsExactly(tp);
        assertThat(c.fetch("g", "m", 2, List.of(), List.of()).error()).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(c.fetch("g", "m", 1, List.of(tp2), List.of(tp)).partitions()).containsExactly(tp2);
        assertThat(c.acknowledge("g", "m", 2)).isEqualTo(Errors.NONE);
        assertThat(c.acknowledge("g", "m", 2)).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(c.acknowledge("g", "m", 0)).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        assertThat(c.fetch("g", "m", 3, List.of(), List.of()).error()).isEqualTo(Errors.NONE);
        assertThat(c.fetch("g", "m", -1, List.of(), List.of()).error()).isEqualTo(Errors.NONE);
        c.close("g", "m");
        assertThat(ended).containsExactly("m1");
        assertThat(c.fetch("g", "m", 5, List.of(), List.of()).error()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
        assertThat(c.acknowledge("g", "x", 1)).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
    }

    @Test
    void theLimitRefusesNewSessionsUntilOneIsIdleLongEnough() {
        ShareSessionCache c = cache(2);
        c.fetch("g", "a", 0, List.of(tp), List.of());
        c.fetch("g", "b", 0, List.of(tp), List.of());
        assertThat(c.fetch("g", "c", 0, List.of(tp), List.of()).error()).isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED);
        // a member reopening its own session is not a new one
        assertThat(c.fetch("g", "a", 0, List.of(tp), List.of()).error()).isEqualTo(Errors.NONE);
        clock.addAndGet(45_000);
        c.fetch("g", "a", 1, List.of(), List.of());
        assertThat(c.fetch("g", "c", 0, List.of(tp), List.of()).error()).isEqualTo(Errors.NONE);
        assertThat(ended).containsExactly("a1", "b1"); // a replaced itself, b was evicted
        assertThat(c.size()).isEqualTo(2);
    }
}
