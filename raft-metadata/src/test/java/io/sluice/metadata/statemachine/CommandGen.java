package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.UnregisterBroker;
import io.sluice.metadata.command.UpdateFeatures;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Seeded generator of commands over a small universe (brokers 0..5, a handful of topic names), biased
 * toward commands that make sense for the current image so that the interesting paths run.
 */
final class CommandGen {
    static final String[] TOPICS = {"a", "b", "c.d", "c_d", "events", "logs", "", "bad name", "x".repeat(250)};
    /** name, value, and whether Kafka accepts it. */
    static final String[][] CONFIGS = {
        {"retention.ms", "60000", "ok"}, {"retention.ms", "-5", "bad"}, {"cleanup.policy", "compact", "ok"},
        {"cleanup.policy", "nope", "bad"}, {"segment.bytes", "1048576", "ok"}, {"segment.bytes", "10", "bad"},
        {"min.insync.replicas", "2", "ok"}, {"unclean.leader.election.enable", "true", "ok"},
        {"unclean.leader.election.enable", "maybe", "bad"}, {"compression.type", "zstd", "ok"},
        {"no.such.config", "1", "bad"}, {"message.timestamp.type", "LogAppendTime", "ok"},
        {"max.message.bytes", "1000000", "ok"}, {"flush.messages", "0", "bad"}};

    static boolean configOk(String name, String value) {
        for (String[] c : CONFIGS) {
            if (c[0].equals(name) && c[1].equals(value)) {
                return c[2].equals("ok");
            }
        }
        throw new IllegalArgumentException(name + "=" + value);
    }

    private final SplittableRandom random;

    CommandGen(SplittableRandom random) {
        this.random = random;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Any command, possibly nonsensical, with no regard to the image (for codec tests). */
    MetadataCommand<?> any() {
        return next(MetadataImage.empty("x"), new HashMap<>());
    }

    /** A command for the current image; {@code incarnations} tracks each broker's last incarnation. */
    MetadataCommand<?> next(MetadataImage image, Map<Integer, UUID> incarnations) {
        int kind = random.nextInt(14);
        switch (kind) {
            case 0: {
                int id = random.nextInt(6);
                UUID inc = random.nextInt(3) == 0 || !incarnations.containsKey(id)
                    ? new UUID(random.nextLong(), random.nextLong()) : incarnations.get(id);
                incarnations.put(id, inc);
                Optional<String> rack = random.nextBoolean() ? Optional.of("rack" + random.nextInt(3)) : Optional.empty();
                BrokerRegistration old = image.broker(id).orElse(null);
                long previousEpoch = switch (random.nextInt(3)) {
                    case 0 -> old != null ? old.brokerEpoch() : RegisterBroker.NO_PREVIOUS_EPOCH; // a restart
                    case 1 -> random.nextLong(100);
                    default -> RegisterBroker.NO_PREVIOUS_EPOCH;
                };
                return new RegisterBroker(id, inc, List.of(new Endpoint("PLAINTEXT", "h" + id, 9092 + id, (short) 0)),
                    rack, previousEpoch);
            }
            case 1:
            case 2: {
                BrokerRegistration b = pickBroker(image);
                if (b == null) {
                    return new BrokerHeartbeat(random.nextInt(6), random.nextLong(10), random.nextLong(100), false);
                }
                long epoch = random.nextInt(8) == 0 ? b.brokerEpoch() + 1 : b.brokerEpoch();
                long offset = random.nextInt(4) == 0 ? b.brokerEpoch() - 1 : image.offset();
                return new BrokerHeartbeat(b.brokerId(), epoch, offset, random.nextInt(10) == 0);
            }
            case 3:
                return new UnregisterBroker(random.nextInt(7));
            case 4: {
                List<CreateTopics.NewTopic> topics = new ArrayList<>();
                int n = 1 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    String name = TOPICS[random.nextInt(TOPICS.length)];
                    Map<String, String> cfg = configs();
                    if (random.nextInt(4) == 0) {
                        List<List<Integer>> manual = new ArrayList<>();
                        int parts = 1 + random.nextInt(3);
                        int rf = 1 + random.nextInt(3);
                        for (int p = 0; p < parts; p++) {
                            List<Integer> reps = new ArrayList<>();
                            for (int r = 0; r < rf; r++) {
                                reps.add(random.nextInt(6));
                            }
                            manual.add(reps);
                        }
                        topics.add(new CreateTopics.NewTopic(name, -1, (short) -1, manual, cfg));
                    } else {
                        topics.add(new CreateTopics.NewTopic(name, random.nextInt(6) - 1, (short) (random.nextInt(5) - 1),
                            List.of(), cfg));
                    }
                }
                return new CreateTopics(topics, random.nextInt(5) == 0);
            }
            case 5: {
                List<String> names = new ArrayList<>();
                List<UUID> ids = new ArrayList<>();
                if (random.nextBoolean()) {
                    names.add(TOPICS[random.nextInt(TOPICS.length)]);
                } else {
                    TopicImage t = pickTopic(image);
                    ids.add(t != null && random.nextInt(4) != 0 ? t.topicId() : new UUID(random.nextLong(), 7));
                }
                return new DeleteTopics(names, ids);
            }
            case 6: {
                TopicImage t = pickTopic(image);
                String name = t != null ? t.name() : TOPICS[random.nextInt(TOPICS.length)];
                int current = t != null ? t.partitionCount() : 1;
                return new CreatePartitions(List.of(new CreatePartitions.Increase(name,
                    current + random.nextInt(4) - 1, List.of())), random.nextInt(5) == 0);
            }
            case 7: {
                boolean topic = random.nextInt(3) != 0;
                TopicImage t = pickTopic(image);
                String name = topic ? (t != null ? t.name() : "missing") : (random.nextBoolean() ? "" : "1");
                List<AlterConfigs.Op> ops = new ArrayList<>();
                configs().forEach((k, v) -> ops.add(new AlterConfigs.Op(k, AlterConfigs.OpType.SET, v)));
                if (random.nextInt(3) == 0) {
                    ops.add(new AlterConfigs.Op(CONFIGS[random.nextInt(CONFIGS.length)][0], AlterConfigs.OpType.DELETE,
                        null));
                }
                if (!topic) {
                    ops.clear();
                    ops.add(new AlterConfigs.Op(random.nextBoolean() ? "log.retention.ms" : "unclean.leader.election.enable",
                        AlterConfigs.OpType.SET, random.nextBoolean() ? "true" : "1000"));
                }
                return new AlterConfigs(List.of(new AlterConfigs.ResourceChange(
                    topic ? AlterConfigs.ResourceType.TOPIC : AlterConfigs.ResourceType.BROKER, name, ops)),
                    random.nextInt(4) != 0, random.nextInt(5) == 0);
            }
            case 8:
            case 9: {
                TopicImage t = pickTopic(image);
                if (t == null) {
                    return new AlterPartition(random.nextInt(6), random.nextInt(5), List.of(new AlterPartition.IsrChange(
                        new UUID(1, 2), 0, 0, 0, new int[] {0})));
                }
                PartitionImage p = t.partition(random.nextInt(t.partitionCount()));
                int sender = p.hasLeader() && random.nextInt(6) != 0 ? p.leader() : random.nextInt(6);
                BrokerRegistration b = image.brokers().get(sender);
                long epoch = b == null ? 0 : b.brokerEpoch();
                int[] replicas = p.replicas();
                List<Integer> isr = new ArrayList<>();
                for (int r : replicas) {
                    if (r == sender || random.nextBoolean()) {
                        isr.add(r);
                    }
                }
                long[] memberEpochs = new long[isr.size()];
                for (int i = 0; i < memberEpochs.length; i++) {
                    BrokerRegistration m = image.brokers().get(isr.get(i));
                    int pick = random.nextInt(5);
                    memberEpochs[i] = m == null || pick == 0 ? AlterPartition.IsrChange.UNKNOWN_BROKER_EPOCH
                        : pick == 1 ? m.brokerEpoch() - 1 : m.brokerEpoch();
                }
                return new AlterPartition(sender, epoch, List.of(new AlterPartition.IsrChange(t.topicId(),
                    p.partitionId(), p.leaderEpoch() - (random.nextInt(6) == 0 ? 1 : 0),
                    p.partitionEpoch() - (random.nextInt(6) == 0 ? 1 : 0),
                    isr.stream().mapToInt(Integer::intValue).toArray(), memberEpochs)));
            }
            case 10: {
                TopicImage t = pickTopic(image);
                ElectLeaders.ElectionType type = random.nextBoolean() ? ElectLeaders.ElectionType.PREFERRED
                    : ElectLeaders.ElectionType.UNCLEAN;
                if (random.nextInt(5) == 0) {
                    return ElectLeaders.automaticRebalance();
                }
                if (t == null || random.nextInt(4) == 0) {
                    return new ElectLeaders(type, true, List.of());
                }
                return new ElectLeaders(type, false, List.of(new ElectLeaders.PartitionRef(t.name(),
                    random.nextInt(t.partitionCount() + 1))));
            }
            case 11: {
                BrokerRegistration b = pickBroker(image);
                return b == null ? new AllocateProducerIds(random.nextInt(6), 0)
                    : new AllocateProducerIds(b.brokerId(), b.brokerEpoch());
            }
            case 12:
                return clientQuotas();
            default:
                return random.nextInt(8) == 0 ? new UpdateFeatures(Map.of("metadata.version", (short) random.nextInt(3)))
                    : new FenceExpiredBrokers(9000, random.nextBoolean() ? FenceExpiredBrokers.NO_LEADER_SINCE
                        : 1_000_000 + random.nextInt(200_000));
        }
    }

    private static final String[] QUOTA_TYPES = {"user", "client-id", "ip", "group"};
    private static final String[] QUOTA_KEYS = {"producer_byte_rate", "consumer_byte_rate", "request_percentage",
        "controller_mutation_rate", "connection_creation_rate", "no_such_quota"};

    /** A mix of good and bad quota alterations (bad types, keys, names and values). */
    private AlterClientQuotas clientQuotas() {
        List<AlterClientQuotas.Entry> entries = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<ClientQuotaEntity.Component> components = new ArrayList<>();
            int c = random.nextInt(3);
            for (int j = 0; j < c; j++) {
                int name = random.nextInt(4);
                components.add(new ClientQuotaEntity.Component(QUOTA_TYPES[random.nextInt(QUOTA_TYPES.length)],
                    name == 0 ? null : name == 1 ? "" : "n" + name));
            }
            List<AlterClientQuotas.Op> ops = new ArrayList<>();
            int m = random.nextInt(3);
            for (int j = 0; j < m; j++) {
                String key = QUOTA_KEYS[random.nextInt(QUOTA_KEYS.length)];
                ops.add(new AlterClientQuotas.Op(key, random.nextInt(4) == 0 ? null
                    : random.nextInt(8) == 0 ? -1.0 : random.nextInt(5) * 512.0 + random.nextInt(2) * 0.5));
            }
            entries.add(new AlterClientQuotas.Entry(new ClientQuotaEntity(components), ops));
        }
        return new AlterClientQuotas(entries, random.nextInt(5) == 0);
    }

    private Map<String, String> configs() {
        Map<String, String> m = new HashMap<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            String[] kv = CONFIGS[random.nextInt(CONFIGS.length)];
            m.put(kv[0], kv[1]);
        }
        return m;
    }

    private BrokerRegistration pickBroker(MetadataImage image) {
        List<BrokerRegistration> l = new ArrayList<>(image.brokers().values());
        l.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        return l.isEmpty() ? null : l.get(random.nextInt(l.size()));
    }

    private TopicImage pickTopic(MetadataImage image) {
        List<TopicImage> l = new ArrayList<>(image.topics());
        l.sort((a, b) -> a.name().compareTo(b.name()));
        return l.isEmpty() ? null : l.get(random.nextInt(l.size()));
    }
}
