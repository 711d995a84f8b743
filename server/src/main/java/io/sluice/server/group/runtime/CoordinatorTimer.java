package io.sluice.server.group.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * Keyed one-shot timers of a coordinator shard (session expiry, join and sync deadlines).
 * Scheduling a key again replaces its timer, as Kafka's coordinator timer does. Nothing runs by
 * itself: the owner calls {@link #poll()} (the coordinator thread when it wakes, a test after
 * stepping its clock), so expiry is deterministic. Not thread-safe: owned by one shard.
 */
public final class CoordinatorTimer {

    private record Entry(long deadlineMs, long seq, String key, Runnable task) { }

    private final LongSupplier clockMs;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.deadlineMs != b.deadlineMs
            ? Long.compare(a.deadlineMs, b.deadlineMs) : Long.compare(a.seq, b.seq));
    private final Map<String, Entry> byKey = new HashMap<>();
    private long seq;

    public CoordinatorTimer(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** Runs {@code task} once {@code delayMs} have passed, replacing any timer of {@code key}. */
    public void schedule(String key, long delayMs, Runnable task) {
        Entry e = new Entry(clockMs.getAsLong() + Math.max(0, delayMs), seq++, key, task);
        byKey.put(key, e);
        queue.add(e);
    }

    public void cancel(String key) {
        byKey.remove(key);
    }

    public boolean isScheduled(String key) {
        return byKey.containsKey(key);
    }

    /** Deadline of the timer of {@code key}, or -1. */
    public long deadlineMs(String key) {
        Entry e = byKey.get(key);
        return e == null ? -1 : e.deadlineMs;
    }

    /** Runs every due timer (in deadline order, including timers that due timers schedule). */
    public int poll() {
        int ran = 0;
        long now = clockMs.getAsLong();
        while (!queue.isEmpty() && queue.peek().deadlineMs <= now) {
            Entry e = queue.poll();
            if (byKey.get(e.key) == e) {
                byKey.remove(e.key);
                e.task.run();
                ran++;
            }
        }
        return ran;
    }

    /** Earliest live deadline, or Long.MAX_VALUE when nothing is scheduled. */
    public long nextDeadlineMs() {
        while (!queue.isEmpty() && byKey.get(queue.peek().key) != queue.peek()) {
            queue.poll();
        }
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().deadlineMs;
    }

    /** Drops every timer (the shard is unloaded). */
    public void clear() {
        queue.clear();
        byKey.clear();
    }

    public int size() {
        return byKey.size();
    }
}
