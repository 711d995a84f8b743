package io.sluice.metadata.codec;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CommandType;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.UnregisterBroker;
import io.sluice.metadata.command.UpdateFeatures;
import io.sluice.metadata.image.ClientQuotaEntity;
import io.sluice.metadata.image.Endpoint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Binary codec of {@link MetadataCommand}s: the descriptor of the command record layout.
 *
 * <pre>
 *  0        1        2
 *  +--------+--------+--------------------------------------+
 *  |  type  | version|  body (per type and version) ...     |
 *  +--------+--------+--------------------------------------+
 * </pre>
 * All integers big-endian. {@code string} = i32 length (-1 null) + UTF-8; {@code uuid} = 2 × i64;
 * {@code list&lt;T&gt;} = i32 count + T…; {@code map} = i32 count + (string key, string value)… sorted
 * by key. Bodies (version 0):
 * <pre>
 *  REGISTER_BROKER        i32 brokerId, uuid incarnation, list&lt;(string listener, string host, i32 port,
 *                         i16 securityProtocol)&gt;, string rack (null = none); version 1 adds
 *                         i64 previousBrokerEpoch (-1 = none; version 0 decodes as -1)
 *  BROKER_HEARTBEAT       i32 brokerId, i64 brokerEpoch, i64 currentMetadataOffset, bool wantFence
 *  UNREGISTER_BROKER      i32 brokerId
 *  CREATE_TOPICS          bool validateOnly, list&lt;(string name, i32 numPartitions, i16 replicationFactor,
 *                         list&lt;list&lt;i32&gt;&gt; assignment, map configs)&gt;
 *  DELETE_TOPICS          list&lt;string&gt; names, list&lt;uuid&gt; ids
 *  CREATE_PARTITIONS      bool validateOnly, list&lt;(string name, i32 totalCount, list&lt;list&lt;i32&gt;&gt;)&gt;
 *  ALTER_CONFIGS          bool incremental, bool validateOnly, list&lt;(i8 resourceType, string name,
 *                         list&lt;(string name, i8 op, string value)&gt;)&gt;
 *  ALTER_PARTITION        i32 brokerId, i64 brokerEpoch, list&lt;(uuid topicId, i32 partition,
 *                         i32 leaderEpoch, i32 partitionEpoch, list&lt;i32&gt; newIsr)&gt;; version 1
 *                         replaces newIsr by list&lt;(i32 brokerId, i64 brokerEpoch)&gt; newIsrWithEpochs
 *                         (KIP-903; version 0 decodes every member's epoch as -1: not checked)
 *  ELECT_LEADERS          i8 electionType, bool allPartitions, list&lt;(string topic, i32 partition)&gt;;
 *                         version 1 adds bool rebalance (the automatic leader rebalance: PREFERRED,
 *                         all partitions, none listed; version 0 decodes as false)
 *  ALLOCATE_PRODUCER_IDS  i32 brokerId, i64 brokerEpoch
 *  FENCE_EXPIRED_BROKERS  i32 sessionTimeoutMs; version 1 adds i64 leaderSinceMs (version 0 decodes
 *                         as Long.MIN_VALUE: no grace)
 *  UPDATE_FEATURES        list&lt;(string name, i16 level)&gt;
 *  ALTER_CLIENT_QUOTAS    bool validateOnly, list&lt;(entity, list&lt;(string key, bool set, [f64 value
 *                         if set])&gt;)&gt;; entity = list&lt;(string type, string name (null = default))&gt;,
 *                         f64 = the i64 of {@link Double#doubleToLongBits}
 * </pre>
 * An unknown type or trailing bytes → INVALID_REQUEST; a known type with a newer version →
 * UNSUPPORTED_VERSION. Stateless, thread-safe.
 */
public final class CommandCodec {
    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int BODY_OFFSET = 2;

    /** Limits on decoded collections (one command). */
    public static final int ITEMS_MAX = 10_000;
    public static final int PARTITIONS_MAX = 100_000;
    public static final int REPLICAS_MAX = 1_000;
    public static final int CONFIGS_MAX = 1_000;
    public static final int ENDPOINTS_MAX = 100;
    /** Components of one client quota entity (Kafka has three types; more is garbage, but decodable). */
    public static final int ENTITY_COMPONENTS_MAX = 16;

    private CommandCodec() {
    }

    public static byte[] encode(MetadataCommand<?> command) {
        BufferWriter w = new BufferWriter(64);
        w.i8(command.type().id()).i8(command.type().latestVersion());
        switch (command.type()) {
            case REGISTER_BROKER -> {
                RegisterBroker c = (RegisterBroker) command;
                w.i32(c.brokerId()).uuid(c.incarnationId()).i32(c.endpoints().size());
                for (Endpoint e : c.endpoints()) {
                    w.string(e.listenerName()).string(e.host()).i32(e.port()).i16(e.securityProtocol());
                }
                w.string(c.rack().orElse(null)).i64(c.previousBrokerEpoch());
            }
            case BROKER_HEARTBEAT -> {
                BrokerHeartbeat c = (BrokerHeartbeat) command;
                w.i32(c.brokerId()).i64(c.brokerEpoch()).i64(c.currentMetadataOffset())
                .bool(c.wantFence());
            }
            case UNREGISTER_BROKER -> {
                UnregisterBroker c = (UnregisterBroker) command;
                w.i32(c.brokerId());
            }
            case CREATE_TOPICS -> {
                CreateTopics c = (CreateTopics) command;
                w.bool(c.validateOnly()).i32(c.topics().size());
                for (CreateTopics.NewTopic t : c.topics()) {
                    w.string(t.name()).i32(t.numPartitions()).i16(t.replicationFactor());
                    writeAssignment(w, t.assignment());
                    w.stringMap(t.configs());
                }
            }
            case DELETE_TOPICS -> {
                DeleteTopics c = (DeleteTopics) command;
                w.i32(c.names().size());
                c.names().forEach(w::string);
                w.i32(c.topicIds().size());
                c.topicIds().forEach(w::uuid);
            }
            case CREATE_PARTITIONS -> {
                CreatePartitions c = (CreatePartitions) command;
                w.bool(c.validateOnly()).i32(c.topics().size());
                for (CreatePartitions.Increase t : c.topics()) {
                    w.string(t.name()).i32(t.totalCount());
                    writeAssignment(w, t.assignment());
                }
            }
            case ALTER_CONFIGS -> {
                AlterConfigs c = (AlterConfigs) command;
                w.bool(c.incremental()).bool(c.validateOnly()).i32(c.resources().size());
                for (AlterConfigs.ResourceChange r : c.resources()) {
                    w.i8(r.resourceType().id()).string(r.resourceName()).i32(r.ops().size());
                    for (AlterConfigs.Op op : r.ops()) {
                        w.string(op.name()).i8(op.op().id()).string(op.value());
                    }
                }
            }
            case ALTER_PARTITION -> {
                AlterPartition c = (AlterPartition) command;
                w.i32(c.brokerId()).i64(c.brokerEpoch()).i32(c.changes().size());
                for (AlterPartition.IsrChange ch : c.changes()) {
                    w.uuid(ch.topicId()).i32(ch.partition()).i32(ch.leaderEpoch()).i32(ch.partitionEpoch());
                    int[] isr = ch.newIsr();
                    long[] epochs = ch.newIsrBrokerEpochs();
                    w.i32(isr.length);
                    for (int i = 0; i < isr.length; i++) {
                        w.i32(isr[i]).i64(epochs[i]);
                    }
                }
            }
            case ELECT_LEADERS -> {
                ElectLeaders c = (ElectLeaders) command;
                w.i8(c.electionType().id()).bool(c.allPartitions()).i32(c.partitions().size());
                for (ElectLeaders.PartitionRef p : c.partitions()) {
                    w.string(p.topic()).i32(p.partition());
                }
                w.bool(c.rebalance());
            }
            case ALLOCATE_PRODUCER_IDS -> {
                AllocateProducerIds c = (AllocateProducerIds) command;
                w.i32(c.brokerId()).i64(c.brokerEpoch());
            }
            case FENCE_EXPIRED_BROKERS -> {
                FenceExpiredBrokers c = (FenceExpiredBrokers) command;
                w.i32(c.sessionTimeoutMs()).i64(c.leaderSinceMs());
            }
            case UPDATE_FEATURES -> {
                UpdateFeatures c = (UpdateFeatures) command;
                w.i32(c.levels().size());
                new TreeMap<>(c.levels()).forEach((k, v) -> w.string(k).i16(v));
            }
            case ALTER_CLIENT_QUOTAS -> {
                AlterClientQuotas c = (AlterClientQuotas) command;
                w.bool(c.validateOnly()).i32(c.entries().size());
                for (AlterClientQuotas.Entry e : c.entries()) {
                    writeEntity(w, e.entity());
                    w.i32(e.ops().size());
                    for (AlterClientQuotas.Op op : e.ops()) {
                        w.string(op.key()).bool(!op.remove());
                        if (!op.remove()) {
                            w.i64(Double.doubleToLongBits(op.value()));
                        }
                    }
                }
            }
        }
        return w.toByteArray();
    }

    static void writeEntity(BufferWriter w, ClientQuotaEntity entity) {
        w.i32(entity.components().size());
        for (ClientQuotaEntity.Component c : entity.components()) {
            w.string(c.entityType()).string(c.entityName());
        }
    }

    static ClientQuotaEntity readEntity(BufferReader r) {
        int n = r.count("entity components", ENTITY_COMPONENTS_MAX, 8);
        List<ClientQuotaEntity.Component> components = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            components.add(new ClientQuotaEntity.Component(r.nonNullString("entity type"), r.string()));
        }
        return new ClientQuotaEntity(components);
    }

    private static void writeAssignment(BufferWriter w, List<List<Integer>> assignment) {
        w.i32(assignment.size());
        assignment.forEach(w::intList);
    }

    /** Decodes one command, consuming all bytes; throws {@link MalformedRecordException}. */
    public static MetadataCommand<?> decode(byte[] bytes) {
        return decode(new BufferReader(bytes));
    }

    public static MetadataCommand<?> decode(BufferReader r) {
        byte typeId = r.i8();
        byte version = r.i8();
        CommandType type = CommandType.fromId(typeId);
        if (type == null) {
            throw BufferReader.malformed("unknown command type " + typeId);
        }
        if (version < 0 || version > type.latestVersion()) {
            throw new MalformedRecordException(ErrorCodes.UNSUPPORTED_VERSION,
                type + " version " + version + " is not supported (latest " + type.latestVersion() + ")");
        }
        MetadataCommand<?> c = switch (type) {
            case REGISTER_BROKER -> {
                int id = r.i32();
                UUID inc = r.uuid();
                int n = r.count("endpoints", ENDPOINTS_MAX, 14);
                List<Endpoint> eps = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = r.nonNullString("listener name");
                    String host = r.nonNullString("host");
                    int port = r.i32();
                    short proto = r.i16();
                    if (port < 0 || port > 65535) {
                        throw BufferReader.malformed("endpoint port " + port);
                    }
                    eps.add(new Endpoint(name, host, port, proto));
                }
                Optional<String> rack = Optional.ofNullable(r.string());
                yield new RegisterBroker(id, inc, eps, rack, version >= 1 ? r.i64() : RegisterBroker.NO_PREVIOUS_EPOCH);
            }
            case BROKER_HEARTBEAT -> new BrokerHeartbeat(r.i32(), r.i64(), r.i64(), r.bool());
            case UNREGISTER_BROKER -> new UnregisterBroker(r.i32());
            case CREATE_TOPICS -> {
                boolean validateOnly = r.bool();
                int n = r.count("topics", ITEMS_MAX, 18);
                List<CreateTopics.NewTopic> topics = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String name = r.nonNullString("topic name");
                    int parts = r.i32();
                    short rf = r.i16();
                    List<List<Integer>> assignment = readAssignment(r);
                    topics.add(new CreateTopics.NewTopic(name, parts, rf, assignment,
                        r.stringMap("configs", CONFIGS_MAX)));
                }
                yield new CreateTopics(topics, validateOnly);
            }
            case DELETE_TOPICS -> {
                int n = r.count("names", ITEMS_MAX, 4);
                List<String> names = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    names.add(r.nonNullString("topic name"));
                }
                int m = r.count("topic ids", ITEMS_MAX, 16);
                List<UUID> ids = new ArrayList<>(m);
                for (int i = 0; i < m; i++) {
                    ids.add(r.uuid());
                }
                yield new DeleteTopics(names, ids);
            }
            case CREATE_PARTITIONS -> {
                boolean validateOnly = r.bool();
                int n = r.count("topics", ITEMS_MAX, 12);
                List<CreatePartitions.Increase> topics = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    topics.add(new CreatePartitions.Increase(r.nonNullString("topic name"), r.i32(),
                        readAssignment(r)));
                }
                yield new CreatePartitions(topics, validateOnly);
            }
            case ALTER_CONFIGS -> {
                boolean incremental = r.bool();
                boolean validateOnly = r.bool();
                int n = r.count("resources", ITEMS_MAX, 9);
                List<AlterConfigs.ResourceChange> resources = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte typeByte = r.i8();
                    AlterConfigs.ResourceType rt = AlterConfigs.ResourceType.fromId(typeByte);
                    if (rt == null) {
                        throw BufferReader.malformed("unknown config resource type " + typeByte);
                    }
                    String name = r.nonNullString("resource name");
                    int m = r.count("config ops", CONFIGS_MAX, 9);
                    List<AlterConfigs.Op> ops = new ArrayList<>(m);
                    for (int j = 0; j < m; j++) {
                        String cfg = r.nonNullString("config name");
                        byte opByte = r.i8();
                        AlterConfigs.OpType op = AlterConfigs.OpType.fromId(opByte);
                        if (op == null) {
                            throw BufferReader.malformed("unknown config op " + opByte);
                        }
                        ops.add(new AlterConfigs.Op(cfg, op, r.string()));
                    }
                    resources.add(new AlterConfigs.ResourceChange(rt, name, ops));
                }
                yield new AlterConfigs(resources, incremental, validateOnly);
            }
            case ALTER_PARTITION -> {
                int brokerId = r.i32();
                long epoch = r.i64();
                int n = r.count("partitions", PARTITIONS_MAX, 32);
                List<AlterPartition.IsrChange> changes = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    UUID topicId = r.uuid();
                    int partition = r.i32();
                    int leaderEpoch = r.i32();
                    int partitionEpoch = r.i32();
                    changes.add(version == 0
                        ? new AlterPartition.IsrChange(topicId, partition, leaderEpoch, partitionEpoch,
                            r.intArray("isr", REPLICAS_MAX))
                        : readIsrWithEpochs(r, topicId, partition, leaderEpoch, partitionEpoch));
                }
                yield new AlterPartition(brokerId, epoch, changes);
            }
            case ELECT_LEADERS -> {
                byte et = r.i8();
                ElectLeaders.ElectionType type1 = ElectLeaders.ElectionType.fromId(et);
                if (type1 == null) {
                    throw BufferReader.malformed("unknown election type " + et);
                }
                boolean all = r.bool();
                int n = r.count("partitions", PARTITIONS_MAX, 8);
                List<ElectLeaders.PartitionRef> parts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    parts.add(new ElectLeaders.PartitionRef(r.nonNullString("topic"), r.i32()));
                }
                boolean rebalance = version >= 1 && r.bool();
                if (rebalance && !ElectLeaders.validRebalance(type1, all, parts.size())) {
                    throw BufferReader.malformed("not a valid rebalance: " + type1 + " all=" + all + " "
                        + parts.size() + " partitions");
                }
                yield new ElectLeaders(type1, all, parts, rebalance);
            }
            case ALLOCATE_PRODUCER_IDS -> new AllocateProducerIds(r.i32(), r.i64());
            case FENCE_EXPIRED_BROKERS -> new FenceExpiredBrokers(r.i32(),
                version >= 1 ? r.i64() : FenceExpiredBrokers.NO_LEADER_SINCE);
            case UPDATE_FEATURES -> {
                int n = r.count("features", CONFIGS_MAX, 6);
                Map<String, Short> levels = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    levels.put(r.nonNullString("feature name"), r.i16());
                }
                yield new UpdateFeatures(levels);
            }
            case ALTER_CLIENT_QUOTAS -> {
                boolean validateOnly = r.bool();
                int n = r.count("quota entries", ITEMS_MAX, 8);
                List<AlterClientQuotas.Entry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ClientQuotaEntity entity = readEntity(r);
                    int m = r.count("quota ops", CONFIGS_MAX, 5);
                    List<AlterClientQuotas.Op> ops = new ArrayList<>(m);
                    for (int j = 0; j < m; j++) {
                        String key = r.nonNullString("quota key");
                        ops.add(new AlterClientQuotas.Op(key, r.bool() ? Double.longBitsToDouble(r.i64()) : null));
                    }
                    entries.add(new AlterClientQuotas.Entry(entity, ops));
                }
                yield new AlterClientQuotas(entries, validateOnly);
            }
        };
        r.expectEnd(type.name());
        return c;
    }

    private static AlterPartition.IsrChange readIsrWithEpochs(BufferReader r, UUID topicId, int partition,
                                                             int leaderEpoch, int partitionEpoch) {
        int m = r.count("isr", REPLICAS_MAX, Integer.BYTES + Long.BYTES);
        int[] isr = new int[m];
        long[] epochs = new long[m];
        for (int j = 0; j < m; j++) {
            isr[j] = r.i32();
            epochs[j] = r.i64();
        }
        return new AlterPartition.IsrChange(topicId, partition, leaderEpoch, partitionEpoch, isr, epochs);
    }

    private static List<List<Integer>> readAssignment(BufferReader r) {
        int n = r.count("assignment", PARTITIONS_MAX, 4);
        List<List<Integer>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.intList("replicas", REPLICAS_MAX));
        }
        return out;
    }
}
