package io.sluice.server.group.share;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Share sessions (KIP-932's ShareFetch session epochs), one per (group, member) on this broker:
 * epoch 0 opens a session with the partitions named, each later request must carry the epoch the
 * last one was answered at plus one (INVALID_SHARE_SESSION_EPOCH otherwise; SHARE_SESSION_NOT_FOUND
 * when there is none), adds the partitions it names and drops its forgotten ones, and -1 closes it.
 * At most {@code group.share.max.share.sessions}: when full, the least recently used session idle
 * longer than {@code group.share.session.timeout.ms} is evicted, else a new one gets
 * SHARE_SESSION_LIMIT_REACHED. A session that ends (closed, replaced or evicted) hands its
 * partitions to {@code onEnd}, which releases the records the member still holds there, with those
 * no other session of its group names any more (their share-partitions may be dropped).
 * Thread-safe: synchronized.
 */
public final class ShareSessionCache {

    /** Kafka's ShareRequestMetadata epochs. */
    public static final int INITIAL_EPOCH = 0;
    public static final int FINAL_EPOCH = -1;

    public record SessionKey(String groupId, String memberId) { }

    /** What a session that ended hands on: its partitions, and those no other session of its group names. */
    @FunctionalInterface
    public interface SessionEnd {
        void ended(SessionKey key, Collection<TopicIdPartition> partitions, Set<TopicIdPartition> unusedByGroup);
    }

    /** The outcome of a request's epoch: the error, and the partitions the request covers. */
    public record Context(Errors error, List<TopicIdPartition> partitions) { }

    private static final class Session {
        int nextEpoch = 1;
        final Set<TopicIdPartition> partitions = new LinkedHashSet<>();
        long lastUsedMs;
    }

    private final int maxSessions;
    private final long idleEvictMs;
    private final LongSupplier clockMs;
    private final SessionEnd onEnd;
    /** Access order: the eldest entry is the least recently used session. */
    private final LinkedHashMap<SessionKey, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    public ShareSessionCache(int maxSessions, long idleEvictMs, LongSupplier clockMs,
                             SessionEnd onEnd) {
        this.maxSessions = maxSessions;
        this.idleEvictMs = idleEvictMs;
        this.clockMs = clockMs;
        this.onEnd = onEnd;
    }

    /**
     * A ShareFetch's session step. {@code added}: the partitions the request names;
     * {@code forgotten}: those it drops. The context's partitions are what the fetch reads.
     */
    public synchronized Context fetch(String groupId, String memberId, int epoch, List<TopicIdPartition> added,
                                      List<TopicIdPartition> forgotten) {
        SessionKey key = new SessionKey(groupId, memberId);
        long now = clockMs.getAsLong();
        if (epoch == INITIAL_EPOCH) {
            Session old = sessions.remove(key);
            if (old != null) {
                end(key, old.partitions);
            } else if (sessions.size() >= maxSessions && !evictIdle(now)) {
                return new Context(Errors.SHARE_SESSION_LIMIT_REACHED, List.of());
            }
            Session s = new Session();
            s.partitions.addAll(added);
            s.lastUsedMs = now;
            sessions.put(key, s);
            return new Context(Errors.NONE, List.copyOf(s.partitions));
        }
        Session s = sessions.get(key);
        if (s == null) {
            return new Context(Errors.SHARE_SESSION_NOT_FOUND, List.of());
        }
        if (epoch == FINAL_EPOCH) {
            return new Context(Errors.NONE, List.copyOf(s.partitions));
        }
        if (epoch != s.nextEpoch) {
            return new Context(Errors.INVALID_SHARE_SESSION_EPOCH, List.of());
        }
        s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
        s.lastUsedMs = now;
        s.partitions.addAll(added);
        forgotten.forEach(s.partitions::remove);
        return new Context(Errors.NONE, List.copyOf(s.partitions));
    }

    /** A ShareAcknowledge's session step: epoch 0 is refused, -1 is checked here and closed by {@link #close}. */
    public synchronized Errors acknowledge(String groupId, String memberId, int epoch) {
        Session s = sessions.get(new SessionKey(groupId, memberId));
        if (epoch == INITIAL_EPOCH) {
            return Errors.INVALID_SHARE_SESSION_EPOCH;
        }
        if (s == null) {
            return Errors.SHARE_SESSION_NOT_FOUND;
        }
        if (epoch == FINAL_EPOCH) {
            return Errors.NONE;
        }
        if (epoch != s.nextEpoch) {
            return Errors.INVALID_SHARE_SESSION_EPOCH;
        }
        s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
        s.lastUsedMs = clockMs.getAsLong();
        return Errors.NONE;
    }

    /** Ends a session (epoch -1, after its acknowledgements were applied). */
    public synchronized void close(String groupId, String memberId) {
        SessionKey key = new SessionKey(groupId, memberId);
        Session s = sessions.remove(key);
        if (s != null) {
            end(key, s.partitions);
        }
    }

    public synchronized int size() {
        return sessions.size();
    }

    private boolean evictIdle(long now) {
        Map.Entry<SessionKey, Session> eldest = sessions.entrySet().iterator().next();
        if (now - eldest.getValue().lastUsedMs < idleEvictMs) {
            return false;
        }
        sessions.remove(eldest.getKey());
        end(eldest.getKey(), new ArrayList<>(eldest.getValue().partitions));
        return true;
    }

    /** Called with the ended session already removed. */
    private void end(SessionKey key, Collection<TopicIdPartition> partitions) {
        Set<TopicIdPartition> unused = new HashSet<>(partitions);
        for (Map.Entry<SessionKey, Session> e : sessions.entrySet()) {
            if (e.getKey().groupId().equals(key.groupId())) {
                unused.removeAll(e.getValue().partitions);
            }
        }
        onEnd.ended(key, partitions, unused);
    }
}
