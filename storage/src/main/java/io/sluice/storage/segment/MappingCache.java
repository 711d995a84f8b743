package io.sluice.storage.segment;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bound on open segment mappings: segments that hold a mapping, least recently used first.
 * When more than {@code mappedSegmentsMax} segments hold one, the coldest give theirs up (it is
 * unmapped once readers holding a lease release it) and map again on their next use. This keeps
 * {@code vm.max_map_count}, address space and page-table memory bounded with thousands of
 * partitions. Shared by all logs of a LogManager.
 *
 * <p>Thread-safe. Never holds its lock while calling into a segment (segments call in while holding
 * theirs).
 */
public final class MappingCache {

    private final int mappedSegmentsMax;
    private final LinkedHashMap<LogSegment, Boolean> lru = new LinkedHashMap<>(64, 0.75f, true);
    private long evictions;

    public MappingCache(int mappedSegmentsMax) {
        if (mappedSegmentsMax < 1) {
            throw new IllegalArgumentException("mappedSegmentsMax must be >= 1: " + mappedSegmentsMax);
        }
        this.mappedSegmentsMax = mappedSegmentsMax;
    }

    /** Marks {@code segment} as just used; evicts the coldest mappings past the bound. */
    void touch(LogSegment segment) {
        List<LogSegment> victims = null;
        synchronized (this) {
            lru.put(segment, Boolean.TRUE);
            if (lru.size() > mappedSegmentsMax) {
                victims = new ArrayList<>();
                Iterator<Map.Entry<LogSegment, Boolean>> it = lru.entrySet().iterator();
                while (lru.size() > mappedSegmentsMax && it.hasNext()) {
                    LogSegment s = it.next().getKey();
                    if (s != segment) {
                        it.remove();
                        victims.add(s);
                    }
                }
                evictions += victims.size();
            }
        }
        if (victims != null) {
            for (LogSegment s : victims) {
                s.releaseMapping();
            }
        }
    }

    /** Forgets a segment that released its mapping for good (closed, deleted). */
    synchronized void remove(LogSegment segment) {
        lru.remove(segment);
    }

    public synchronized int size() {
        return lru.size();
    }

    public synchronized long evictions() {
        return evictions;
    }

    public int mappedSegmentsMax() {
        return mappedSegmentsMax;
    }
}
