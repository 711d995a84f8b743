package io.sluice.metadata.codec;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.AlterClientQuotas;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.CommandType;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.command.SimpleResult;
import io.sluice.metadata.command.TopicError;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of command results, carried in the Ratis reply. Layout:
 * <pre>
 *  0         2                       2+n       3+n
 *  +---------+-----------------------+---------+--------------------------+
 *  | i16 err | string message        | bool    | body (per command type)  |
 *  |  code   | (i32 len, -1 = null)  | hasBody |                          |
 *  +---------+-----------------------+---------+--------------------------+
 * </pre>
 * Without a body the result is {@link MetadataCommand#failed(short, String)} of the command (used
 * for malformed commands, which have no typed result). Bodies:
 * <pre>
 *  REGISTER_BROKER        i64 brokerEpoch
 *  BROKER_HEARTBEAT       bool caughtUp, bool fenced
 *  CREATE_TOPICS          list&lt;(string name, bool+uuid id, i16 code, string msg, i32 partitions, i16 rf)&gt;
 *  DELETE_TOPICS          list&lt;(string name, bool+uuid id, i16 code, string msg)&gt;
 *  CREATE_PARTITIONS      list&lt;(string name, i16 code, string msg)&gt;
 *  ALTER_CONFIGS          list&lt;(i8 resourceType, string name, i16 code, string msg)&gt;
 *  ALTER_PARTITION        list&lt;(uuid topicId, i32 partition, i16 code, string msg, bool+partition state)&gt;
 *  ELECT_LEADERS          list&lt;(string topic, i32 partition, i16 code, string msg)&gt;
 *  ALLOCATE_PRODUCER_IDS  i64 firstProducerId, i32 blockSize
 *  FENCE_EXPIRED_BROKERS  list&lt;i32&gt; fenced broker ids
 *  ALTER_CLIENT_QUOTAS    list&lt;(entity, i16 code, string msg)&gt; (entity as in {@link CommandCodec})
 *  UNREGISTER_BROKER, UPDATE_FEATURES: no body fields
 * </pre>
 * Stateless, thread-safe.
 */
public final class ResultCodec {
    private static final int ITEMS_MAX = 1_000_000;

    private ResultCodec() {
    }

    /** A bodyless result: {@code command.failed(code, message)} on the receiving side. */
    public static byte[] encodeFailure(short errorCode, String message) {
        return new BufferWriter(32).i16(errorCode).string(message).bool(false).toByteArray();
    }

    public static byte[] encode(CommandType type, CommandResult result) {
        BufferWriter w = new BufferWriter(64);
        w.i16(result.errorCode()).string(result.errorMessage()).bool(true);
        switch (type) {
            case REGISTER_BROKER -> w.i64(((RegisterBroker.Result) result).brokerEpoch());
            case BROKER_HEARTBEAT -> {
                BrokerHeartbeat.Result r = (BrokerHeartbeat.Result) result;
                w.bool(r.caughtUp()).bool(r.fenced());
            }
            case CREATE_TOPICS -> {
                List<CreateTopics.TopicOutcome> l = ((CreateTopics.Result) result).topics();
                w.i32(l.size());
                for (CreateTopics.TopicOutcome t : l) {
                    w.string(t.name()).nullableUuid(t.topicId()).i16(t.errorCode()).string(t.errorMessage())
                        .i32(t.numPartitions()).i16(t.replicationFactor());
                }
            }
            case DELETE_TOPICS -> {
                List<DeleteTopics.TopicOutcome> l = ((DeleteTopics.Result) result).topics();
                w.i32(l.size());
                for (DeleteTopics.TopicOutcome t : l) {
                    w.string(t.name()).nullableUuid(t.topicId()).i16(t.errorCode()).string(t.errorMessage());
                }
            }
            case CREATE_PARTITIONS -> {
                List<TopicError> l = ((CreatePartitions.Result) result).topics();
                w.i32(l.size());
                for (TopicError t : l) {
                    w.string(t.name()).i16(t.errorCode()).string(t.errorMessage());
                }
            }
            case ALTER_CONFIGS -> {
                List<AlterConfigs.ResourceError> l = ((AlterConfigs.Result) result).resources();
                w.i32(l.size());
                for (AlterConfigs.ResourceError t : l) {
                    w.i8(t.resourceType().id()).string(t.resourceName()).i16(t.errorCode()).string(t.errorMessage());
                }
            }
            case ALTER_PARTITION -> {
                List<AlterPartition.PartitionOutcome> l = ((AlterPartition.Result) result).partitions();
                w.i32(l.size());
                for (AlterPartition.PartitionOutcome t : l) {
                    w.uuid(t.topicId()).i32(t.partition()).i16(t.errorCode()).string(t.errorMessage())
                        .bool(t.partitionState() != null);
                    if (t.partitionState() != null) {
                        w.partition(t.partitionState());
                    }
                }
            }
            case ELECT_LEADERS -> {
                List<ElectLeaders.PartitionError> l = ((ElectLeaders.Result) result).partitions();
                w.i32(l.size());
                for (ElectLeaders.PartitionError t : l) {
                    w.string(t.topic()).i32(t.partition()).i16(t.errorCode()).string(t.errorMessage());
                }
            }
            case ALLOCATE_PRODUCER_IDS -> {
                AllocateProducerIds.Result r = (AllocateProducerIds.Result) result;
                w.i64(r.firstProducerId()).i32(r.blockSize());
            }
            case FENCE_EXPIRED_BROKERS -> w.intList(((FenceExpiredBrokers.Result) result).fencedBrokers());
            case ALTER_CLIENT_QUOTAS -> {
                List<AlterClientQuotas.EntryError> l = ((AlterClientQuotas.Result) result).entries();
                w.i32(l.size());
                for (AlterClientQuotas.EntryError e : l) {
                    CommandCodec.writeEntity(w, e.entity());
                    w.i16(e.errorCode()).string(e.errorMessage());
                }
            }
            case UNREGISTER_BROKER, UPDATE_FEATURES -> {
                // no body fields
            }
        }
        return w.toByteArray();
    }

    @SuppressWarnings("unchecked")
    public static <R extends CommandResult> R decode(MetadataCommand<R> command, byte[] bytes) {
        BufferReader r = new BufferReader(bytes);
        short code = r.i16();
        String msg = r.string();
        if (!r.bool()) {
            r.expectEnd("result");
            return command.failed(code, msg);
        }
        Object out = switch (command.type()) {
            case REGISTER_BROKER -> new RegisterBroker.Result(code, msg, r.i64());
            case BROKER_HEARTBEAT -> new BrokerHeartbeat.Result(code, msg, r.bool(), r.bool());
            case CREATE_TOPICS -> {
                int n = r.count("topics", ITEMS_MAX, 17);
                List<CreateTopics.TopicOutcome> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new CreateTopics.TopicOutcome(r.string(), r.nullableUuid(), r.i16(), r.string(), r.i32(),
                        r.i16()));
                }
                yield new CreateTopics.Result(code, msg, l);
            }
            case DELETE_TOPICS -> {
                int n = r.count("topics", ITEMS_MAX, 11);
                List<DeleteTopics.TopicOutcome> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new DeleteTopics.TopicOutcome(r.string(), r.nullableUuid(), r.i16(), r.string()));
                }
                yield new DeleteTopics.Result(code, msg, l);
            }
            case CREATE_PARTITIONS -> {
                int n = r.count("topics", ITEMS_MAX, 10);
                List<TopicError> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new TopicError(r.string(), r.i16(), r.string()));
                }
                yield new CreatePartitions.Result(code, msg, l);
            }
            case ALTER_CONFIGS -> {
                int n = r.count("resources", ITEMS_MAX, 11);
                List<AlterConfigs.ResourceError> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    AlterConfigs.ResourceType t = AlterConfigs.ResourceType.fromId(r.i8());
                    l.add(new AlterConfigs.ResourceError(t, r.string(), r.i16(), r.string()));
                }
                yield new AlterConfigs.Result(code, msg, l);
            }
            case ALTER_PARTITION -> {
                int n = r.count("partitions", ITEMS_MAX, 27);
                List<AlterPartition.PartitionOutcome> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new AlterPartition.PartitionOutcome(r.uuid(), r.i32(), r.i16(), r.string(),
                        r.bool() ? r.partition(CommandCodec.REPLICAS_MAX) : null));
                }
                yield new AlterPartition.Result(code, msg, l);
            }
            case ELECT_LEADERS -> {
                int n = r.count("partitions", ITEMS_MAX, 14);
                List<ElectLeaders.PartitionError> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new ElectLeaders.PartitionError(r.string(), r.i32(), r.i16(), r.string()));
                }
                yield new ElectLeaders.Result(code, msg, l);
            }
            case ALLOCATE_PRODUCER_IDS -> new AllocateProducerIds.Result(code, msg, r.i64(), r.i32());
            case FENCE_EXPIRED_BROKERS -> new FenceExpiredBrokers.Result(code, msg, r.intList("brokers", ITEMS_MAX));
            case ALTER_CLIENT_QUOTAS -> {
                int n = r.count("quota entries", ITEMS_MAX, 10);
                List<AlterClientQuotas.EntryError> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(new AlterClientQuotas.EntryError(CommandCodec.readEntity(r), r.i16(), r.string()));
                }
                yield new AlterClientQuotas.Result(code, msg, l);
            }
            case UNREGISTER_BROKER, UPDATE_FEATURES -> new SimpleResult(code, msg);
        };
        r.expectEnd("result");
        return (R) out;
    }
}
