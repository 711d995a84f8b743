package io.sluice.server.group.offsets;

import io.sluice.server.group.GroupConfig;
import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.ClassicGroups;
import io.sluice.server.group.classic.ClassicMembership;
import io.sluice.server.group.classic.GroupState;
import io.sluice.server.group.log.GroupRecords;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets of the groups of one coordinator shard: OffsetCommit, OffsetFetch,
 * OffsetDelete, the offsets part of DeleteGroups, and expiry after offsets.retention.minutes.
 * A commit is written to __consumer_offsets first and applied in memory only once the append
 * succeeded, so what a fetch returns is always in the log. Not thread-safe: owned by the
 * coordinator thread.
 */
public final class OffsetManager {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetManager.class);

    /** A committed offset (Kafka's OffsetAndMetadata). */
    public record Committed(long offset, int leaderEpoch, String metadata, long commitTimestampMs) { }

    /** Whether a topic partition exists in the cluster metadata (commits to others are refused). */
    @FunctionalInterface
    public interface PartitionExists {
        boolean test(String topic, int partition);
    }

    private final GroupConfig config;
    private final ClassicGroups groups;
    private final ClassicMembership membership;
    private final ConsumerGroupMembers consumerGroups;
    private final ClassicGroups.RecordWriter writer;
    private final CommitWriter commitWriter;
    private final LongSupplier clockMs;
    private final Map<String, Map<TopicPartition, Committed>> offsets = new HashMap<>();

    /**
     * Writes commits without blocking the coordinator thread: the result completes on that thread,
     * in log order, once the ISR has the records (see {@code GroupShard.writeInOrder}).
     */
    public interface CommitWriter {
        CompletableFuture<Short> writeInOrder(List<GroupRecords.Record> records);
    }

    /** The KIP-848 consumer groups of the shard, whose commits and fetches carry member epochs. */
    public interface ConsumerGroupMembers {
        boolean isConsumerGroup(String groupId);

        /** Whether the consumer group has members (its subscribed topics' offsets do not expire). */
        boolean hasMembers(String groupId);

        /** Kafka's ConsumerGroup.validateOffsetCommit; NONE when the commit may go ahead. */
        Errors validateCommit(String groupId, String memberId, int memberEpoch, short version);

        /** Kafka's ConsumerGroup.validateOffsetFetch; NONE when the fetch may go ahead. */
        Errors validateFetch(String groupId, String memberId, int memberEpoch);
    }

    public OffsetManager(GroupConfig config, ClassicGroups groups, ClassicMembership membership,
                         ConsumerGroupMembers consumerGroups, ClassicGroups.RecordWriter writer,
                         CommitWriter commitWriter, LongSupplier clockMs) {
        this.config = config;
        this.consumerGroups = consumerGroups;
        this.groups = groups;
        this.membership = membership;
        this.writer = writer;
        this.commitWriter = commitWriter;
        this.clockMs = clockMs;
        groups.hasOffsets(g -> offsets.containsKey(g));
    }

    /**
     * Validates and writes the commit; the response completes once the ISR has it, and the offsets
     * become visible to OffsetFetch only then.
     */
    public CompletableFuture<OffsetCommitResponseData> commit(OffsetCommitRequestData req, short version,
                                                              PartitionExists exists) {
        Errors groupError = validateCommit(req, version);
        OffsetCommitResponseData resp = new OffsetCommitResponseData();
        List<GroupRecords.Record> records = new ArrayList<>();
        Map<TopicPartition, Committed> toApply = new TreeMap<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        List<OffsetCommitResponseData.OffsetCommitResponsePartition> written = new ArrayList<>();
        long now = clockMs.getAsLong();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic rt =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
            resp.topics().add(rt);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition rp =
                        new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                if (groupError != Errors.NONE) {
                    rp.setErrorCode(groupError.code());
                } else if (t.name() == null || !exists.test(t.name(), p.partitionIndex())) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (metadata.getBytes(StandardCharsets.UTF_8).length > config.offsetMetadataMaxBytes()) {
                    rp.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    Committed c = new Committed(p.committedOffset(), p.committedLeaderEpoch(), metadata, now);
                    TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                    toApply.put(tp, c);
                    records.add(offsetRecord(req.groupId(), tp, c));
                    written.add(rp);
                }
            }
        }
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(resp);
        }
        return commitWriter.writeInOrder(records).thenApply(err -> {
            if (err != Errors.NONE.code()) {
                Errors mapped = mapAppendError(Errors.forCode(err));
                LOG.warn("Writing {} offsets of group {} failed: {} (answered {})", records.size(), req.groupId(),
                        Errors.forCode(err), mapped);
                for (OffsetCommitResponseData.OffsetCommitResponsePartition rp : written) {
                    rp.setErrorCode(mapped.code());
                }
                return resp;
            }
            if (groups.get(req.groupId()) == null && !consumerGroups.isConsumerGroup(req.groupId())) {
                groups.create(req.groupId());
            }
            offsets.computeIfAbsent(req.groupId(), g -> new HashMap<>()).putAll(toApply);
            return resp;
        });
    }

    private Errors validateCommit(OffsetCommitRequestData req, short version) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        if (consumerGroups.isConsumerGroup(req.groupId())) {
            return consumerGroups.validateCommit(req.groupId(), req.memberId(), req.generationIdOrMemberEpoch(), version);
        }
        ClassicGroup group = groups.get(req.groupId());
        if (group == null) {
            if (req.generationIdOrMemberEpoch() < 0) {
                return Errors.NONE; // a simple (manually assigned) consumer or an admin: the group is created
            }
            return version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        return membership.validateOffsetCommit(group, req.memberId(), req.groupInstanceId(),
                req.generationIdOrMemberEpoch());
    }

    /** Kafka's mapping of a failed append of the offsets log to what the committer is told. */
    static Errors mapAppendError(Errors e) {
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            default -> e;
        };
    }

    /**
     * Offsets of one group (OffsetFetch v8 shape; the handler reshapes for v1-7).
     *
     * @param topics null = every partition the group has committed
     */
    public OffsetFetchResponseData.OffsetFetchResponseGroup fetch(String groupId,
                                                                  List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics) {
        return fetch(groupId, null, -1, topics);
    }

    /**
     * OffsetFetch v9+ from a member: a KIP-848 consumer group checks its member id and epoch
     * (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH) before answering.
     */
    public OffsetFetchResponseData.OffsetFetchResponseGroup fetch(String groupId, String memberId, int memberEpoch,
                                                                  List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics) {
        if (consumerGroups.isConsumerGroup(groupId)) {
            Errors e = consumerGroups.validateFetch(groupId, memberId, memberEpoch);
            if (e != Errors.NONE) {
                return new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(e.code());
            }
        }
        OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup()
                .setGroupId(groupId);
        Map<TopicPartition, Committed> committed = offsets.getOrDefault(groupId, Map.of());
        if (topics == null) {
            Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new TreeMap<>();
            for (Map.Entry<TopicPartition, Committed> e : committed.entrySet()) {
                byTopic.computeIfAbsent(e.getKey().topic(),
                        t -> new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(t))
                        .partitions().add(partition(e.getKey().partition(), e.getValue()));
            }
            out.topics().addAll(byTopic.values());
            return out;
        }
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : topics) {
            OffsetFetchResponseData.OffsetFetchResponseTopics rt =
                    new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(t.name());
            for (int p : t.partitionIndexes()) {
                rt.partitions().add(partition(p, committed.get(new TopicPartition(t.name(), p))));
            }
            out.topics().add(rt);
        }
        return out;
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions partition(int p, Committed c) {
        OffsetFetchResponseData.OffsetFetchResponsePartitions r =
                new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
                        .setErrorCode(Errors.NONE.code());
        if (c == null) {
            return r.setCommittedOffset(-1L).setCommittedLeaderEpoch(-1).setMetadata("");
        }
        return r.setCommittedOffset(c.offset()).setCommittedLeaderEpoch(c.leaderEpoch()).setMetadata(c.metadata());
    }

    /** OffsetDelete (KIP-496): refused for topics a non-empty consumer group still subscribes to. */
    public OffsetDeleteResponseData delete(OffsetDeleteRequestData req, PartitionExists exists,
                                           Predicate<String> subscribed) {
        OffsetDeleteResponseData resp = new OffsetDeleteResponseData();
        boolean active;
        if (consumerGroups.isConsumerGroup(req.groupId())) {
            active = consumerGroups.hasMembers(req.groupId());
        } else {
            ClassicGroup group = groups.get(req.groupId());
            if (group == null || group.is(GroupState.DEAD)) {
                return resp.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
            }
            active = !group.is(GroupState.EMPTY);
            if (active && !"consumer".equals(group.protocolType())) {
                return resp.setErrorCode(Errors.NON_EMPTY_GROUP.code());
            }
        }
        Map<TopicPartition, Committed> committed = offsets.getOrDefault(req.groupId(), Map.of());
        List<GroupRecords.Record> records = new ArrayList<>();
        List<TopicPartition> removed = new ArrayList<>();
        List<OffsetDeleteResponseData.OffsetDeleteResponsePartition> ok = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : req.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic rt =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
            resp.topics().add(rt);
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                OffsetDeleteResponseData.OffsetDeleteResponsePartition rp =
                        new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex());
                rt.partitions().add(rp);
                if (!exists.test(t.name(), p.partitionIndex())) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (active && subscribed.test(t.name())) {
                    rp.setErrorCode(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
                } else {
                    TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                    if (committed.containsKey(tp)) {
                        records.add(tombstone(req.groupId(), tp));
                        removed.add(tp);
                    }
                    ok.add(rp.setErrorCode(Errors.NONE.code()));
                }
            }
        }
        short err = writer.write(records);
        if (err != Errors.NONE.code()) {
            Errors mapped = mapAppendError(Errors.forCode(err));
            ok.forEach(rp -> rp.setErrorCode(mapped.code()));
            return resp.setErrorCode(Errors.NONE.code());
        }
        removed.forEach(committed::remove);
        if (committed.isEmpty()) {
            offsets.remove(req.groupId());
        }
        return resp.setErrorCode(Errors.NONE.code());
    }

    /** Tombstones for every offset of the group (DeleteGroups writes them with the group's tombstone). */
    public List<GroupRecords.Record> tombstones(String groupId) {
        List<GroupRecords.Record> out = new ArrayList<>();
        for (TopicPartition tp : offsets.getOrDefault(groupId, Map.of()).keySet()) {
            out.add(tombstone(groupId, tp));
        }
        return out;
    }

    public void forget(String groupId) {
        offsets.remove(groupId);
    }

    public boolean hasOffsets(String groupId) {
        return offsets.containsKey(groupId);
    }

    /** Committed offsets of a group (read-only view, for describe and tests). */
    public Map<TopicPartition, Committed> offsets(String groupId) {
        return Collections.unmodifiableMap(offsets.getOrDefault(groupId, Map.of()));
    }

    /**
     * Expires offsets after offsets.retention.minutes (KIP-211): for an EMPTY group with a
     * protocol, counted from when it became empty; for a group that only commits (no protocol),
     * from each commit; for a STABLE consumer group, only offsets of topics no member subscribes
     * to any more, from each commit (Kafka's OffsetExpirationCondition). Other groups keep theirs.
     * Returns the tombstones to write; {@code expired} receives what they remove.
     *
     * @param subscribed whether a group's members subscribe to a topic
     */
    public List<GroupRecords.Record> expire(Map<String, List<TopicPartition>> expired,
                                            BiPredicate<String, String> subscribed) {
        long now = clockMs.getAsLong();
        List<GroupRecords.Record> out = new ArrayList<>();
        for (Map.Entry<String, Map<TopicPartition, Committed>> e : offsets.entrySet()) {
            ClassicGroup g = groups.get(e.getKey());
            boolean stableConsumer = (g != null && g.is(GroupState.STABLE) && "consumer".equals(g.protocolType()))
                    || consumerGroups.hasMembers(e.getKey());
            if (g != null && !g.is(GroupState.EMPTY) && !stableConsumer) {
                continue;
            }
            boolean fromEmpty = g != null && g.is(GroupState.EMPTY) && g.protocolType() != null;
            for (Map.Entry<TopicPartition, Committed> c : e.getValue().entrySet()) {
                if (stableConsumer && subscribed.test(e.getKey(), c.getKey().topic())) {
                    continue;
                }
                long base = fromEmpty ? g.stateTimestampMs() : c.getValue().commitTimestampMs();
                if (base + config.offsetsRetentionMs() <= now) {
                    out.add(tombstone(e.getKey(), c.getKey()));
                    expired.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(c.getKey());
                }
            }
        }
        return out;
    }

    /** Applies an expiry whose tombstones were written. */
    public void removeExpired(Map<String, List<TopicPartition>> expired) {
        for (Map.Entry<String, List<TopicPartition>> e : expired.entrySet()) {
            Map<TopicPartition, Committed> m = offsets.get(e.getKey());
            if (m != null) {
                e.getValue().forEach(m::remove);
                if (m.isEmpty()) {
                    offsets.remove(e.getKey());
                }
            }
        }
    }

    /** Replays one offset record read from the log (null value = tombstone). */
    public void replay(String groupId, TopicPartition tp, GroupRecords.OffsetValue value) {
        if (value == null) {
            Map<TopicPartition, Committed> m = offsets.get(groupId);
            if (m != null) {
                m.remove(tp);
                if (m.isEmpty()) {
                    offsets.remove(groupId);
                }
            }
            return;
        }
        offsets.computeIfAbsent(groupId, g -> new HashMap<>()).put(tp,
                new Committed(value.offset(), value.leaderEpoch(), value.metadata(), value.commitTimestampMs()));
    }

    public Iterator<String> groupIds() {
        return offsets.keySet().iterator();
    }

    public int size() {
        int n = 0;
        for (Map<TopicPartition, Committed> m : offsets.values()) {
            n += m.size();
        }
        return n;
    }

    private static GroupRecords.Record offsetRecord(String groupId, TopicPartition tp, Committed c) {
        return new GroupRecords.Record(GroupRecords.offsetCommitKey(groupId, tp.topic(), tp.partition()),
                GroupRecords.offsetCommitValue(new GroupRecords.OffsetValue(c.offset(), c.leaderEpoch(), c.metadata(),
                        c.commitTimestampMs())));
    }

    private static GroupRecords.Record tombstone(String groupId, TopicPartition tp) {
        return new GroupRecords.Record(GroupRecords.offsetCommitKey(groupId, tp.topic(), tp.partition()), null);
    }

    /** A copy of every group's committed offsets (for the lag monitor); on the coordinator thread. */
    public Map<String, Map<TopicPartition, Committed>> snapshot() {
        Map<String, Map<TopicPartition, Committed>> copy = new HashMap<>();
        offsets.forEach((group, committed) -> copy.put(group, Map.copyOf(committed)));
        return copy;
    }
}
