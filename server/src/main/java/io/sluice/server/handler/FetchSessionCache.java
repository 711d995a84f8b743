package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;

/**
 * Incremental fetch sessions (KIP-227) as the Java client and librdkafka use them: a full fetch
 * with epoch 0 opens a session (when a slot is free); later fetches send only changed partitions
 * and forgotten topics, and the response carries only partitions with records or a changed high
 * watermark, log start offset or error. Epoch -1 closes the session. At most
 * {@code max.incremental.fetch.session.cache.slots} sessions; the least recently used is evicted.
 *
 * <p>Thread-safe: the map is concurrent; one session is used by one client at a time, and its
 * state is guarded by its own lock.
 */
final class FetchSessionCache {

    static final int INITIAL_EPOCH = 0;
    static final int FINAL_EPOCH = -1;

    @FunctionalInterface
    interface Resolver {
        FetchHandler.Target resolve(String name, Uuid topicId, FetchRequestData.FetchPartition fp, MetadataImage image,
                                    boolean byId);
    }

    private record Key(String topic, Uuid topicId, int partition) { }

    /** What the broker last told the client about a partition of the session. */
    private static final class Cached {
        FetchRequestData.FetchPartition request;
        long highWatermark = Long.MIN_VALUE;
        long logStartOffset = Long.MIN_VALUE;
        short error = -2;
    }

    private static final class Session {
        final int id;
        /** Fixed by the request that opened the session: v13+ keys partitions by topic id (KIP-516). */
        boolean usesTopicIds;
        int nextEpoch = 1;
        long lastUsedNs;
        final LinkedHashMap<Key, Cached> partitions = new LinkedHashMap<>();

        Session(int id) {
            this.id = id;
        }
    }

    /** The partitions to read for one request, and which of them go into the response. */
    static final class Plan {
        private final short error;
        private final int sessionId;
        private final List<FetchHandler.Target> targets;
        private final Session session;
        private final boolean full;

        Plan(short error, int sessionId, List<FetchHandler.Target> targets, Session session, boolean full) {
            this.error = error;
            this.sessionId = sessionId;
            this.targets = targets;
            this.session = session;
            this.full = full;
        }

        short error() { return error; }
        int sessionId() { return sessionId; }
        List<FetchHandler.Target> targets() { return targets; }

        /** Whether the partition goes into the response; records what the client is told. */
        boolean include(FetchHandler.Target t, PartitionData pd) {
            if (session == null) {
                return true;
            }
            synchronized (session) {
                Cached c = session.partitions.get(key(t, session));
                boolean changed = full || c == null || pd.errorCode() != Errors.NONE || pd.records().sizeInBytes() > 0
                        || c.highWatermark != pd.highWatermark() || c.logStartOffset != pd.logStartOffset()
                        || c.error != pd.errorCode() || pd.preferredReadReplica() >= 0
                        || pd.divergingEpoch().epoch() >= 0;
                if (c != null) {
                    c.highWatermark = pd.highWatermark();
                    c.logStartOffset = pd.logStartOffset();
                    c.error = pd.errorCode();
                }
                return changed;
            }
        }
    }

    private final int slots;
    private final Map<Integer, Session> sessions = new ConcurrentHashMap<>();

    FetchSessionCache(int slots) {
        this.slots = slots;
    }

    Plan plan(FetchRequestData req, short v, MetadataImage image, Resolver resolver) {
        boolean byId = v >= 13;
        if (v < 7 || req.sessionEpoch() == FINAL_EPOCH || (req.sessionId() == 0 && req.sessionEpoch() != INITIAL_EPOCH)) {
            if (v >= 7 && req.sessionId() != 0) {
                sessions.remove(req.sessionId());
            }
            return new Plan(Errors.NONE, 0, resolveAll(req, image, resolver, byId), null, true);
        }
        if (req.sessionEpoch() == INITIAL_EPOCH) {
            if (req.sessionId() != 0) {
                sessions.remove(req.sessionId());
            }
            Session s = newSession();
            List<FetchHandler.Target> targets = resolveAll(req, image, resolver, byId);
            if (s == null) {
                return new Plan(Errors.NONE, 0, targets, null, true);
            }
            synchronized (s) {
                s.usesTopicIds = byId;
                for (FetchRequestData.FetchTopic ft : req.topics()) {
                    for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                        Cached c = new Cached();
                        c.request = fp;
                        s.partitions.put(new Key(byId ? null : ft.topic(), byId ? ft.topicId() : null, fp.partition()), c);
                    }
                }
            }
            return new Plan(Errors.NONE, s.id, targets, s, true);
        }
        Session s = sessions.get(req.sessionId());
        if (s == null) {
            return new Plan(Errors.FETCH_SESSION_ID_NOT_FOUND, 0, List.of(), null, false);
        }
        synchronized (s) {
            if (req.sessionEpoch() != s.nextEpoch) {
                return new Plan(Errors.INVALID_FETCH_SESSION_EPOCH, 0, List.of(), null, false);
            }
            if (s.usesTopicIds != byId) {
                // A session opened by names continued by ids (or the reverse) has no consistent keys.
                return new Plan(Errors.FETCH_SESSION_TOPIC_ID_ERROR, 0, List.of(), null, false);
            }
            s.nextEpoch = s.nextEpoch == Integer.MAX_VALUE ? 1 : s.nextEpoch + 1;
            s.lastUsedNs = System.nanoTime();
            for (FetchRequestData.ForgottenTopic f : req.forgottenTopicsData()) {
                for (int p : f.partitions()) {
                    s.partitions.remove(new Key(byId ? null : f.topic(), byId ? f.topicId() : null, p));
                }
            }
            for (FetchRequestData.FetchTopic ft : req.topics()) {
                for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                    Key k = new Key(byId ? null : ft.topic(), byId ? ft.topicId() : null, fp.partition());
                    Cached c = s.partitions.get(k);
                    if (c == null) {
                        c = new Cached();
                        s.partitions.put(k, c);
                    }
                    c.request = fp;
                }
            }
            List<FetchHandler.Target> targets = new ArrayList<>(s.partitions.size());
            for (Map.Entry<Key, Cached> e : s.partitions.entrySet()) {
                targets.add(resolver.resolve(e.getKey().topic(), e.getKey().topicId(), e.getValue().request, image, byId));
            }
            return new Plan(Errors.NONE, s.id, targets, s, false);
        }
    }

    private static Key key(FetchHandler.Target t, Session s) {
        // Sessions opened by v13+ requests key by topic id, older ones by name; try both.
        Key byId = new Key(null, t.topicId(), t.partition());
        return s.partitions.containsKey(byId) ? byId : new Key(t.topic(), null, t.partition());
    }

    private static List<FetchHandler.Target> resolveAll(FetchRequestData req, MetadataImage image, Resolver resolver,
                                                        boolean byId) {
        List<FetchHandler.Target> out = new ArrayList<>();
        for (FetchRequestData.FetchTopic ft : req.topics()) {
            for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                out.add(resolver.resolve(ft.topic(), ft.topicId(), fp, image, byId));
            }
        }
        return out;
    }

    private Session newSession() {
        if (slots <= 0) {
            return null;
        }
        if (sessions.size() >= slots) {
            evictOldest();
        }
        while (true) {
            int id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
            Session s = new Session(id);
            s.lastUsedNs = System.nanoTime();
            if (sessions.putIfAbsent(id, s) == null) {
                return s;
            }
        }
    }

    private void evictOldest() {
        Session oldest = null;
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (oldest == null || s.lastUsedNs < oldest.lastUsedNs) {
                oldest = s;
            }
        }
        if (oldest != null) {
            sessions.remove(oldest.id);
        }
    }

    int size() {
        return sessions.size();
    }
}
