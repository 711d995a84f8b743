package io.sluice.server.group.share;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.share.SharePartition.Acquired;
import io.sluice.server.group.share.SharePartition.RecordState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The share-partition state machine on a stepped clock. */
class SharePartitionTest {

    private static final long LOCK_MS = 30_000;
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private SharePartition partition(int limit, int maxInFlight) {
        return new SharePartition(clock::get, LOCK_MS, limit, maxInFlight, 0, List.of());
    }

    private static long[] offsets(long from, long toExclusive) {
        return LongStream.range(from, toExclusive).toArray();
    }

    private static List<Byte> type(byte t) {
        return List.of(t);
    }

    @Test
    void acceptedRecordsMoveTheStartOffset() {
        SharePartition sp = partition(5, 2000);
        assertThat(sp.acquire("a", offsets(0, 10), 100, 10)).containsExactly(new Acquired(0, 9, (short) 1));
        assertThat(sp.endOffset()).isEqualTo(10);
        assertThat(sp.acknowledge("a", 0, 4, type(SharePartition.ACCEPT))).isEqualTo(Errors.NONE);
        assertThat(sp.startOffset()).isEqualTo(5);
        assertThat(sp.nextFetchOffset(0)).isEqualTo(10);
    }

    @Test
    void releasedAndExpiredRecordsAreRedeliveredWithAHigherCount() {
        SharePartition sp = partition(5, 2000);
        sp.acquire("a", offsets(0, 4), 100, 4);
        sp.acknowledge("a", 0, 1, type(SharePartition.RELEASE));
        assertThat(sp.nextFetchOffset(0)).isZero();
        assertThat(sp.acquire("b", offsets(0, 4), 100, 4)).containsExactly(new Acquired(0, 1, (short) 2));
        clock.addAndGet(LOCK_MS);
        // a's lock on 2-3 and b's on 0-1 ran out: all four are available again.
        assertThat(sp.state(2)).isEqualTo(RecordState.AVAILABLE);
        assertThat(sp.acquire("c", offsets(0, 4), 100, 4))
                .containsExactly(new Acquired(0, 1, (short) 3), new Acquired(2, 3, (short) 2));
        assertThat(sp.acknowledge("a", 2, 3, type(SharePartition.ACCEPT))).isEqualTo(Errors.INVALID_RECORD_STATE);
    }

    @Test
    void rejectedRecordsAndRecordsPastTheDeliveryLimitAreArchived() {
        SharePartition sp = partition(2, 2000);
        sp.acquire("a", offsets(0, 3), 100, 3);
        sp.acknowledge("a", 0, 0, type(SharePartition.REJECT));
        sp.acknowledge("a", 1, 2, type(SharePartition.RELEASE));
        assertThat(sp.startOffset()).isEqualTo(1); // 0 is archived, so done
        assertThat(sp.acquire("a", offsets(0, 3), 100, 3)).containsExactly(new Acquired(1, 2, (short) 2));
        sp.acknowledge("a", 2, 2, type(SharePartition.RELEASE));
        assertThat(sp.state(2)).isEqualTo(RecordState.ARCHIVED); // released at the limit
        clock.addAndGet(LOCK_MS); // 1's lock runs out at the limit too
        assertThat(sp.startOffset()).isEqualTo(3);
        assertThat(sp.acquire("a", offsets(0, 3), 100, 3)).isEmpty();
    }

    @Test
    void perOffsetTypesGapsAndRenew() {
        SharePartition sp = partition(5, 2000);
        sp.acquire("a", offsets(0, 3), 100, 3);
        assertThat(sp.acknowledge("a", 0, 2, List.of(SharePartition.ACCEPT, SharePartition.GAP, SharePartition.RENEW)))
                .isEqualTo(Errors.NONE);
        assertThat(sp.state(1)).isEqualTo(RecordState.ACKNOWLEDGED); // below the start offset: done
        clock.addAndGet(LOCK_MS - 1);
        assertThat(sp.acknowledge("a", 2, 2, type(SharePartition.RENEW))).isEqualTo(Errors.NONE);
        clock.addAndGet(LOCK_MS - 1);
        assertThat(sp.state(2)).isEqualTo(RecordState.ACQUIRED);
        clock.addAndGet(1);
        assertThat(sp.state(2)).isEqualTo(RecordState.AVAILABLE);
    }

    @Test
    void badAcknowledgementsChangeNothing() {
        SharePartition sp = partition(5, 2000);
        sp.acquire("a", offsets(0, 5), 100, 5);
        assertThat(sp.acknowledge("b", 0, 0, type(SharePartition.ACCEPT))).isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(sp.acknowledge("a", 3, 7, type(SharePartition.ACCEPT))).isEqualTo(Errors.INVALID_RECORD_STATE);
        assertThat(sp.acknowledge("a", 2, 1, type(SharePartition.ACCEPT))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(sp.acknowledge("a", 0, 1, List.of((byte) 1, (byte) 1, (byte) 1))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(sp.acknowledge("a", 0, 0, type((byte) 9))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(sp.acknowledge("a", 0, 0, List.of())).isEqualTo(Errors.INVALID_REQUEST);
        for (long o = 0; o < 5; o++) {
            assertThat(sp.state(o)).isEqualTo(RecordState.ACQUIRED);
        }
    }

    @Test
    void inFlightRecordsAreBoundedAndMaxRecordsHonoured() {
        SharePartition sp = partition(5, 100);
        assertThat(sp.acquire("a", offsets(0, 500), 40, 500)).containsExactly(new Acquired(0, 39, (short) 1));
        assertThat(sp.acquire("b", offsets(40, 500), 1000, 500)).containsExactly(new Acquired(40, 99, (short) 1));
        assertThat(sp.nextFetchOffset(0)).isEqualTo(-1);
        sp.acknowledge("a", 0, 9, type(SharePartition.ACCEPT));
        assertThat(sp.nextFetchOffset(0)).isEqualTo(100);
        assertThat(sp.acquire("a", offsets(100, 500), 1000, 500)).containsExactly(new Acquired(100, 109, (short) 1));
        // nothing at or past the high watermark
        assertThat(sp.acquire("a", offsets(110, 500), 1000, 105)).isEmpty();
    }

    @Test
    void logStartMovingPastTheStartOffsetArchivesWhatIsGone() {
        SharePartition sp = partition(5, 2000);
        sp.acquire("a", offsets(0, 10), 100, 10);
        assertThat(sp.nextFetchOffset(20)).isEqualTo(20);
        assertThat(sp.startOffset()).isEqualTo(20);
        assertThat(sp.acknowledge("a", 0, 0, type(SharePartition.ACCEPT))).isEqualTo(Errors.INVALID_RECORD_STATE);
    }

    @Test
    void persistedStateRestoresAcknowledgedArchivedAndCounts() {
        SharePartition sp = partition(3, 2000);
        sp.acquire("a", offsets(0, 6), 100, 6);
        sp.acknowledge("a", 1, 1, type(SharePartition.ACCEPT));
        sp.acknowledge("a", 2, 2, type(SharePartition.REJECT));
        sp.acknowledge("a", 3, 3, type(SharePartition.RELEASE));
        SharePartition back = new SharePartition(clock::get, LOCK_MS, 3, 2000, sp.startOffset(), sp.stateBatches());
        assertThat(back.startOffset()).isZero();
        assertThat(back.endOffset()).isEqualTo(6);
        assertThat(back.state(0)).isEqualTo(RecordState.AVAILABLE); // acquired is stored as available
        assertThat(back.state(1)).isEqualTo(RecordState.ACKNOWLEDGED);
        assertThat(back.state(2)).isEqualTo(RecordState.ARCHIVED);
        assertThat(back.deliveryCount(3)).isEqualTo(1);
        assertThat(back.acquire("b", offsets(0, 8), 100, 8))
                .containsExactly(new Acquired(0, 0, (short) 2), new Acquired(3, 5, (short) 2), new Acquired(6, 7, (short) 1));
    }

    /**
     * Seeded random runs against a model: members acquire, acknowledge with every type, and the
     * clock moves past locks. After every step: SPSO ≤ SPEO ≤ SPSO + window; a record acknowledged
     * or archived is never acquired again; no record is delivered more than the limit; a delivery
     * count only grows by one per acquisition. {@code -Dsluice.share.seed=N} replays a run.
     */
    @Test
    void randomRunsKeepTheInvariants() {
        long base = Long.getLong("sluice.share.seed", System.nanoTime());
        for (int run = 0; run < 30; run++) {
            long seed = base + run;
            try {
                randomRun(seed);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (replay with -Dsluice.share.seed=" + seed + ")", e);
            }
        }
        System.out.println("SharePartitionTest seeds " + base + ".." + (base + 29));
    }

    private void randomRun(long seed) {
        Random rnd = new Random(seed);
        int limit = 2 + rnd.nextInt(4);
        int window = 100 + rnd.nextInt(50);
        SharePartition sp = partition(limit, window);
        Set<Long> done = new HashSet<>();
        Map<Long, Integer> counts = new HashMap<>();
        Map<Long, String> held = new HashMap<>();
        long hw = 0;
        String[] members = {"a", "b", "c"};
        for (int step = 0; step < 400; step++) {
            int op = rnd.nextInt(10);
            if (op < 2) {
                hw += rnd.nextInt(40);
            } else if (op < 5) {
                String m = members[rnd.nextInt(3)];
                long from = sp.nextFetchOffset(0);
                if (from >= 0) {
                    for (Acquired a : sp.acquire(m, offsets(from, from + 200), 1 + rnd.nextInt(60), hw)) {
                        for (long o = a.firstOffset(); o <= a.lastOffset(); o++) {
                            assertThat(done).as("acquired a finished record %d", o).doesNotContain(o);
                            int c = counts.merge(o, 1, Integer::sum);
                            assertThat((int) a.deliveryCount()).isEqualTo(c).isLessThanOrEqualTo(limit);
                            held.put(o, m);
                        }
                    }
                }
            } else if (op < 8 && !held.isEmpty()) {
                List<Long> mine = new ArrayList<>(held.keySet());
                long o = mine.get(rnd.nextInt(mine.size()));
                byte t = (byte) (1 + rnd.nextInt(3));
                Errors e = sp.acknowledge(held.get(o), o, o, type(t));
                if (e == Errors.NONE) {
                    held.remove(o);
                    if (t != SharePartition.RELEASE || counts.get(o) >= limit) {
                        done.add(o);
                    }
                } else {
                    assertThat(e).isEqualTo(Errors.INVALID_RECORD_STATE); // its lock ran out
                    held.remove(o);
                }
            } else {
                clock.addAndGet(rnd.nextInt((int) LOCK_MS));
                if (rnd.nextInt(4) == 0) {
                    clock.addAndGet(LOCK_MS);
                    held.keySet().removeIf(o -> {
                        if (counts.get(o) >= limit) {
                            done.add(o);
                        }
                        return true;
                    });
                }
            }
            assertThat(sp.startOffset()).isLessThanOrEqualTo(sp.endOffset());
            assertThat(sp.endOffset() - sp.startOffset()).isLessThanOrEqualTo(window);
            assertThat(sp.endOffset()).isLessThanOrEqualTo(Math.max(hw, 0));
        }
    }
}
