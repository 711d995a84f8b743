package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.UnregisterBroker;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A deliberately simple model of the metadata rules: which topics exist with how many partitions,
 * which brokers are registered and fenced with which epoch, how many producer ids were handed out.
 * Written from Kafka's rules, not from the implementation, so the property test compares two
 * independent statements of the same behaviour.
 */
final class MetadataModel {
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    record Broker(UUID incarnation, long epoch, boolean fenced, long lastHeartbeatMs) {
    }

    final Map<String, Integer> partitions = new HashMap<>();
    final Map<String, UUID> ids = new HashMap<>();
    final Map<Integer, Broker> brokers = new HashMap<>();
    long nextProducerId;

    long unfencedCount() {
        return brokers.values().stream().filter(b -> !b.fenced()).count();
    }

    /** Applies a command at {@code offset}, time {@code now}; topic ids come from the real result. */
    void apply(MetadataCommand<?> c, long offset, long now, int sessionTimeoutMs, Object result) {
        switch (c.type()) {
            case REGISTER_BROKER -> {
                RegisterBroker r = (RegisterBroker) c;
                Broker old = brokers.get(r.brokerId());
                if (old != null && old.incarnation().equals(r.incarnationId())) {
                    return;
                }
                if (old != null && !old.fenced() && now - old.lastHeartbeatMs() <= sessionTimeoutMs
                    && r.previousBrokerEpoch() != old.epoch()) {
                    return; // the old session is live and this is not its successor
                }
                brokers.put(r.brokerId(), new Broker(r.incarnationId(), offset, true, now));
            }
            case BROKER_HEARTBEAT -> {
                BrokerHeartbeat h = (BrokerHeartbeat) c;
                Broker b = brokers.get(h.brokerId());
                if (b == null || b.epoch() != h.brokerEpoch()) {
                    return;
                }
                boolean fenced = b.fenced();
                if (fenced && h.currentMetadataOffset() >= b.epoch() && !h.wantFence()) {
                    fenced = false;
                } else if (!fenced && h.wantFence()) {
                    fenced = true;
                }
                brokers.put(h.brokerId(), new Broker(b.incarnation(), b.epoch(), fenced, now));
            }
            case UNREGISTER_BROKER -> brokers.remove(((UnregisterBroker) c).brokerId());
            case FENCE_EXPIRED_BROKERS -> {
                FenceExpiredBrokers f = (FenceExpiredBrokers) c;
                brokers.replaceAll((id, b) -> !b.fenced()
                    && now - Math.max(b.lastHeartbeatMs(), f.leaderSinceMs()) > f.sessionTimeoutMs()
                    ? new Broker(b.incarnation(), b.epoch(), true, b.lastHeartbeatMs()) : b);
            }
            case CREATE_TOPICS -> createTopics((CreateTopics) c, (CreateTopics.Result) result);
            case DELETE_TOPICS -> {
                DeleteTopics d = (DeleteTopics) c;
                d.names().forEach(n -> {
                    partitions.remove(n);
                    ids.remove(n);
                });
                d.topicIds().forEach(id -> ids.entrySet().stream().filter(e -> e.getValue().equals(id)).findFirst()
                    .map(Map.Entry::getKey).ifPresent(n -> {
                        partitions.remove(n);
                        ids.remove(n);
                    }));
            }
            case CREATE_PARTITIONS -> {
                CreatePartitions cp = (CreatePartitions) c;
                for (CreatePartitions.Increase inc : cp.topics()) {
                    Integer current = partitions.get(inc.name());
                    if (current == null || inc.totalCount() <= current || inc.totalCount() > 100_000 || cp.validateOnly()) {
                        continue;
                    }
                    // rf of the topic is unknown to the model; the real result decides feasibility by live brokers.
                    if (((CreatePartitions.Result) result).topics().get(0).errorCode() == 0) {
                        partitions.put(inc.name(), inc.totalCount());
                    }
                }
            }
            case ALLOCATE_PRODUCER_IDS -> {
                AllocateProducerIds a = (AllocateProducerIds) c;
                Broker b = brokers.get(a.brokerId());
                if (b != null && b.epoch() == a.brokerEpoch()) {
                    nextProducerId += AllocateProducerIds.BLOCK_SIZE;
                }
            }
            default -> {
                // configs, ISR changes, elections, features: checked by invariants, not by the model
            }
        }
    }

    /** Whether the model expects topic creation to succeed; applies it if so. */
    private void createTopics(CreateTopics c, CreateTopics.Result result) {
        Set<String> names = new HashSet<>();
        Set<String> dup = new HashSet<>();
        c.topics().forEach(t -> {
            if (!names.add(t.name())) {
                dup.add(t.name());
            }
        });
        for (int i = 0; i < c.topics().size(); i++) {
            CreateTopics.NewTopic t = c.topics().get(i);
            boolean ok = !dup.contains(t.name()) && LEGAL.matcher(t.name()).matches() && !t.name().equals(".")
                && !t.name().equals("..") && !partitions.containsKey(t.name()) && !collides(t.name())
                && t.configs().entrySet().stream().allMatch(e -> CommandGen.configOk(e.getKey(), e.getValue()));
            int count;
            if (!t.assignment().isEmpty()) {
                int rf = t.assignment().get(0).size();
                ok &= t.assignment().stream().allMatch(l -> !l.isEmpty() && l.size() == rf
                    && new HashSet<>(l).size() == l.size() && brokers.keySet().containsAll(l))
                    && t.assignment().stream().allMatch(l -> l.stream().anyMatch(b -> !brokers.get(b).fenced()));
                count = t.assignment().size();
            } else {
                ok &= t.numPartitions() >= 1 && t.replicationFactor() >= 1 && t.replicationFactor() <= unfencedCount();
                count = t.numPartitions();
            }
            CreateTopics.TopicOutcome out = result.topics().get(i);
            if (ok != (out.errorCode() == 0)) {
                throw new AssertionError("model expects " + (ok ? "success" : "failure") + " for " + t + " but got " + out);
            }
            if (ok && !c.validateOnly()) {
                partitions.put(t.name(), count);
                ids.put(t.name(), out.topicId());
            }
        }
    }

    private boolean collides(String name) {
        String n = name.replace('.', '_');
        return partitions.keySet().stream().anyMatch(e -> !e.equals(name) && e.replace('.', '_').equals(n));
    }

    static List<String> legalNames() {
        return List.of("a", "b");
    }
}
