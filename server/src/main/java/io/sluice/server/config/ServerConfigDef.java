package io.sluice.server.config;

import static io.sluice.server.config.ConfigKey.REQUIRED;
import static io.sluice.server.config.ConfigKey.Type.BOOLEAN;
import static io.sluice.server.config.ConfigKey.Type.DOUBLE;
import static io.sluice.server.config.ConfigKey.Type.INT;
import static io.sluice.server.config.ConfigKey.Type.LIST;
import static io.sluice.server.config.ConfigKey.Type.LONG;
import static io.sluice.server.config.ConfigKey.Type.STRING;

import io.sluice.replication.selector.ReplicaSelector;
import io.sluice.server.config.ConfigKey.Type;
import io.sluice.server.config.ConfigKey.Validator;
import io.sluice.server.group.consumer.MigrationPolicy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every setting server.properties may contain, with Kafka's names and Kafka's defaults
 * (org.apache.kafka.server.config.*). A setting not listed here stops the start. Settings Sluice
 * accepts for compatibility with Kafka sample configs but does not act on yet say so in their doc.
 * Immutable, thread-safe.
 */
public final class ServerConfigDef {

    public static final String NODE_ID = "node.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String INTER_BROKER_LISTENER_NAME = "inter.broker.listener.name";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_QUORUM_BOOTSTRAP_SERVERS = "controller.quorum.bootstrap.servers";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String METADATA_LOG_DIR = "metadata.log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String QUOTA_WINDOW_NUM = "quota.window.num";
    public static final String QUOTA_WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    public static final String CLIENT_QUOTA_CALLBACK_CLASS = "client.quota.callback.class";
    public static final String CONTROLLER_QUOTA_WINDOW_NUM = "controller.quota.window.num";
    public static final String CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS = "controller.quota.window.size.seconds";
    public static final String REPLICATION_QUOTA_WINDOW_NUM = "replication.quota.window.num";
    public static final String REPLICATION_QUOTA_WINDOW_SIZE_SECONDS = "replication.quota.window.size.seconds";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String FETCH_MAX_BYTES = "fetch.max.bytes";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = "max.incremental.fetch.session.cache.slots";
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = "replica.high.watermark.checkpoint.interval.ms";
    public static final String BROKER_RACK = "broker.rack";
    public static final String REPLICA_SELECTOR_CLASS = "replica.selector.class";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_RESPONSE_MAX_BYTES = "replica.fetch.response.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_FETCH_MIN_BYTES = "replica.fetch.min.bytes";
    public static final String REPLICA_FETCH_BACKOFF_MS = "replica.fetch.backoff.ms";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
    public static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
    /** Sluice's bound on the controlled-shutdown wait (Kafka retries controlled.shutdown.max.retries times instead). */
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "sluice.controlled.shutdown.timeout.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String TRANSACTION_STATE_LOG_REPLICATION_FACTOR = "transaction.state.log.replication.factor";
    public static final String TRANSACTION_STATE_LOG_MIN_ISR = "transaction.state.log.min.isr";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
    public static final String GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS = "group.consumer.min.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS = "group.consumer.max.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_SIZE = "group.consumer.max.size";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String GROUP_CONSUMER_MIGRATION_POLICY = "group.consumer.migration.policy";
    public static final String GROUP_COORDINATOR_REBALANCE_PROTOCOLS = "group.coordinator.rebalance.protocols";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_TOPIC_COMPRESSION_CODEC = "offsets.topic.compression.codec";
    public static final String SHARE_VERSION = "sluice.share.version";
    public static final String GROUP_SHARE_SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
    public static final String GROUP_SHARE_HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
    public static final String GROUP_SHARE_MAX_SIZE = "group.share.max.size";
    public static final String GROUP_SHARE_RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
    public static final String GROUP_SHARE_DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
    public static final String GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
    public static final String GROUP_SHARE_MAX_SHARE_SESSIONS = "group.share.max.share.sessions";
    public static final String SHARE_STATE_TOPIC_NUM_PARTITIONS = "share.coordinator.state.topic.num.partitions";
    public static final String SHARE_STATE_TOPIC_REPLICATION_FACTOR = "share.coordinator.state.topic.replication.factor";
    public static final String SHARE_STATE_TOPIC_SEGMENT_BYTES = "share.coordinator.state.topic.segment.bytes";
    public static final String SHARE_STATE_TOPIC_COMPRESSION_CODEC = "share.coordinator.state.topic.compression.codec";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS = "controller.quorum.election.timeout.ms";
    public static final String CONTROLLER_QUORUM_REQUEST_TIMEOUT_MS = "controller.quorum.request.timeout.ms";
    public static final String METADATA_SNAPSHOT_INTERVAL_ENTRIES = "sluice.metadata.snapshot.interval.entries";
    public static final String METADATA_SNAPSHOT_RETAIN_COUNT = "sluice.metadata.snapshot.retain.count";
    public static final String METADATA_SUBMIT_TIMEOUT_MS = "sluice.metadata.submit.timeout.ms";
    public static final String METADATA_LOG_SEGMENT_BYTES = "sluice.metadata.log.segment.bytes";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.start.offset.checkpoint.interval.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "log.message.timestamp.before.max.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS = "log.message.timestamp.after.max.ms";
    public static final String LOG_MAPPED_SEGMENTS_MAX = "log.mapped.segments.max";
    public static final String LOG_SEGMENT_RESERVE_STEP_MIN_BYTES = "log.segment.reserve.step.min.bytes";
    public static final String LOG_SEGMENT_RESERVE_STEP_MAX_BYTES = "log.segment.reserve.step.max.bytes";
    public static final String CONNECTION_INFLIGHT_REQUESTS_MAX = "sluice.connection.inflight.requests.max";
    public static final String CONNECTION_OUTBOUND_BYTES_MAX = "sluice.connection.outbound.bytes.max";
    public static final String METRICS_LISTENER = "sluice.metrics.listener";
    public static final String LAG_WINDOW_COMMITS = "sluice.lag.window.commits";
    public static final String LAG_SAMPLE_INTERVAL_MS = "sluice.lag.sample.interval.ms";
    public static final String LAG_PARTITIONS_MAX = "sluice.lag.partitions.max";
    public static final String LAG_END_SAMPLES_MAX = "sluice.lag.end.samples.max";

    private static final Map<String, ConfigKey> KEYS = new LinkedHashMap<>();

    /**
     * Settings parsed and validated so that Kafka configs start, but with no effect in Sluice yet:
     * the start logs one warning for each one the file sets.
     */
    public static final Set<String> NO_EFFECT_YET = Set.of(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, NUM_IO_THREADS,
            QUEUED_MAX_REQUESTS, TRANSACTION_STATE_LOG_REPLICATION_FACTOR,
            TRANSACTION_STATE_LOG_MIN_ISR, NUM_RECOVERY_THREADS_PER_DATA_DIR);

    static {
        String ignoredYet = " (accepted for compatibility with Kafka configs; not used by Sluice yet)";
        define(NODE_ID, INT, REQUIRED, Validator.atLeast(0), "Id of this node in the cluster.");
        define(PROCESS_ROLES, LIST, "broker,controller", Validator.listOf("broker", "controller"),
                "Roles of this process: broker,controller (combined mode), broker (follows the quorum, no vote) "
                        + "or controller (a voter serving no clients).");
        define(LISTENERS, LIST, "PLAINTEXT://:9092,CONTROLLER://:9093", Validator.ANY,
                "Listeners as NAME://host:port. PLAINTEXT serves clients, CONTROLLER the metadata quorum.");
        define(ADVERTISED_LISTENERS, LIST, null, Validator.ANY, "Listeners given to clients; default: listeners.");
        define(LISTENER_SECURITY_PROTOCOL_MAP, STRING, "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT",
                Validator.ANY, "Listener name to security protocol (Kafka's default; a controller listener missing from "
                        + "the default map is PLAINTEXT). Every listener must be PLAINTEXT: TLS and SASL are not supported "
                        + "yet, and a listener with another protocol fails the start.");
        define(INTER_BROKER_LISTENER_NAME, STRING, "PLAINTEXT", Validator.ANY,
                "Listener followers fetch from leaders on (it must be the client listener, which brokers register).");
        define(CONTROLLER_LISTENER_NAMES, LIST, "CONTROLLER", Validator.ANY, "Listener(s) of the metadata quorum.");
        define(CONTROLLER_QUORUM_VOTERS, LIST, "", Validator.ANY, "Voters as id@host:port (default: this node alone "
                + "on the controller listener); every node of a cluster is a voter and must be in the list.");
        define(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, LIST, "", Validator.ANY, "Quorum bootstrap servers" + ignoredYet
                + "; more than one fails the start");
        define(LOG_DIRS, LIST, null, Validator.ANY, "Data directories; default: log.dir.");
        define(LOG_DIR, STRING, "/tmp/kafka-logs", Validator.ANY, "Data directory when log.dirs is not set.");
        define(METADATA_LOG_DIR, STRING, null, Validator.ANY, "Metadata quorum directory; default: first log dir.");
        define(NUM_PARTITIONS, INT, 1, Validator.atLeast(1), "Partitions of an auto-created topic.");
        define(DEFAULT_REPLICATION_FACTOR, INT, 1, Validator.atLeast(1), "Replication factor of an auto-created topic or "
                + "of CreateTopics without one.");
        define(MIN_INSYNC_REPLICAS, INT, 1, Validator.atLeast(1), "Minimum ISR size for acks=all.");
        define(LOG_RETENTION_HOURS, INT, 168, Validator.atLeast(-1), "Retention time in hours.");
        define(LOG_RETENTION_MINUTES, INT, null, Validator.atLeast(-1), "Retention time in minutes (wins over hours).");
        define(LOG_RETENTION_MS, LONG, null, Validator.atLeast(-1), "Retention time in ms (wins over minutes).");
        define(LOG_RETENTION_BYTES, LONG, -1L, Validator.ANY, "Retention size per partition; -1 unlimited.");
        define(LOG_RETENTION_CHECK_INTERVAL_MS, LONG, 300_000L, Validator.atLeast(1), "Retention check interval.");
        define(LOG_SEGMENT_BYTES, INT, 1_073_741_824, Validator.atLeast(1024 * 1024), "Segment size.");
        define(LOG_ROLL_HOURS, INT, 168, Validator.atLeast(1), "Segment roll time in hours.");
        define(LOG_ROLL_MS, LONG, null, Validator.atLeast(1), "Segment roll time in ms (wins over hours).");
        define(LOG_FLUSH_INTERVAL_MESSAGES, LONG, Long.MAX_VALUE, Validator.atLeast(1), "Force after this many messages.");
        define(LOG_FLUSH_INTERVAL_MS, LONG, null, Validator.atLeast(0), "Force after this many ms.");
        define(LOG_INDEX_SIZE_MAX_BYTES, INT, 10_485_760, Validator.atLeast(4), "Offset index size.");
        define(LOG_INDEX_INTERVAL_BYTES, INT, 4096, Validator.atLeast(0), "Bytes between index entries.");
        // Retention deletes only where the policy has delete; the log cleaner compacts where it has compact
        // (storage's cleaner package, read by LogManagerConfig from these names).
        define(LOG_CLEANUP_POLICY, LIST, "delete", Validator.listOf("delete", "compact"),
                "Cleanup policy; retention deletes only where it has delete, the log cleaner compacts where it has compact.");
        define(LOG_CLEANER_ENABLE, BOOLEAN, true, Validator.ANY, "Run the log cleaner (compaction).");
        define(LOG_CLEANER_THREADS, INT, 1, Validator.atLeast(0), "Log cleaner threads.");
        define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, LONG, 134_217_728L, Validator.atLeast(24),
                "Memory bound of the cleaners' offset maps, shared by the threads.");
        define(LOG_CLEANER_IO_BUFFER_SIZE, INT, 524_288, Validator.atLeast(0),
                "Initial size of each cleaner thread's record buffers (segments are read through their mappings).");
        define(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, DOUBLE, 0.9, Validator.betweenDouble(Double.MIN_VALUE, 1),
                "How full an offset map gets.");
        define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, DOUBLE, Double.MAX_VALUE,
                Validator.betweenDouble(Double.MIN_VALUE, Double.MAX_VALUE), "Cleaner I/O bound (read plus written).");
        define(LOG_CLEANER_BACKOFF_MS, LONG, 15_000L, Validator.atLeast(0), "Cleaner sleep when no log needs cleaning.");
        define(LOG_CLEANER_DELETE_RETENTION_MS, LONG, 86_400_000L, Validator.atLeast(0),
                "Default delete.retention.ms: how long tombstones stay after their first cleaning.");
        define(LOG_CLEANER_MIN_COMPACTION_LAG_MS, LONG, 0L, Validator.atLeast(0), "Default min.compaction.lag.ms.");
        define(LOG_CLEANER_MAX_COMPACTION_LAG_MS, LONG, Long.MAX_VALUE, Validator.atLeast(1),
                "Default max.compaction.lag.ms.");
        define(LOG_CLEANER_MIN_CLEANABLE_RATIO, DOUBLE, 0.5, Validator.betweenDouble(0, 1),
                "Default min.cleanable.dirty.ratio.");
        define(MESSAGE_MAX_BYTES, INT, 1_048_588, Validator.atLeast(0), "Largest record batch accepted.");
        define(AUTO_CREATE_TOPICS_ENABLE, BOOLEAN, true, Validator.ANY, "Create topics on metadata request.");
        define(DELETE_TOPIC_ENABLE, BOOLEAN, true, Validator.ANY, "Allow DeleteTopics.");
        // Every voter decides elections itself, so a default that lived in one node's file could make
        // voters disagree; the cluster default lives in the quorum instead (a dynamic config).
        define(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN, false,
                v -> Boolean.TRUE.equals(v) ? "a static cluster default is not supported; set it in the metadata quorum "
                        + "with kafka-configs --alter --entity-type brokers --entity-default --add-config "
                        + UNCLEAN_LEADER_ELECTION_ENABLE + "=true, or per topic" : null,
                "Unclean leader election default; only false here, true is set dynamically (cluster default or topic).");
        define(SOCKET_REQUEST_MAX_BYTES, INT, 104_857_600, Validator.atLeast(1), "Largest request frame.");
        define(SOCKET_SEND_BUFFER_BYTES, INT, 102_400, Validator.ANY, "SO_SNDBUF; -1 OS default.");
        define(SOCKET_RECEIVE_BUFFER_BYTES, INT, 102_400, Validator.ANY, "SO_RCVBUF; -1 OS default.");
        define(CONNECTIONS_MAX_IDLE_MS, LONG, 600_000L, Validator.atLeast(1), "Idle connections are closed after this.");
        define(NUM_NETWORK_THREADS, INT, 3, Validator.atLeast(1), "Event-loop threads serving connections.");
        define(QUOTA_WINDOW_NUM, INT, 11, Validator.atLeast(1), "Samples kept to measure client quota rates.");
        define(QUOTA_WINDOW_SIZE_SECONDS, INT, 1, Validator.atLeast(1), "Time span of each client quota sample.");
        define(CONTROLLER_QUOTA_WINDOW_NUM, INT, 11, Validator.atLeast(1),
                "Samples of the controller mutation quota (its token bucket holds bound × samples × sample span).");
        define(CONTROLLER_QUOTA_WINDOW_SIZE_SECONDS, INT, 1, Validator.atLeast(1),
                "Time span of each controller mutation quota sample.");
        define(REPLICATION_QUOTA_WINDOW_NUM, INT, 11, Validator.atLeast(1), "Samples kept to measure replication throttle rates.");
        define(REPLICATION_QUOTA_WINDOW_SIZE_SECONDS, INT, 1, Validator.atLeast(1),
                "Time span of each replication throttle sample.");
        // A callback would change which quota applies to whom; ignoring one would enforce other quotas.
        define(CLIENT_QUOTA_CALLBACK_CLASS, STRING, null, v -> v == null ? null
                : "Sluice applies Kafka's default quota callback only; a custom " + CLIENT_QUOTA_CALLBACK_CLASS
                + " is not supported", "Only unset: quotas follow Kafka's default callback.");
        define(NUM_IO_THREADS, INT, 8, Validator.atLeast(1), "Request handler threads" + ignoredYet);
        define(QUEUED_MAX_REQUESTS, INT, 500, Validator.atLeast(1), "Request queue size" + ignoredYet);
        // Any other value asks the broker to recompress every batch; Sluice stores them as produced.
        define(COMPRESSION_TYPE, STRING, "producer", v -> "producer".equals(v) ? null
                : "Sluice stores batches as the producer compressed them and does not recompress yet; only producer is supported",
                "Topic compression: producer only (batches are stored as produced).");
        define(LOG_MESSAGE_TIMESTAMP_TYPE, STRING, "CreateTime", Validator.oneOf("CreateTime", "LogAppendTime"),
                "Timestamp type of stored records.");
        define(FETCH_MAX_BYTES, INT, 57_671_680, Validator.atLeast(1024), "Largest fetch response.");
        define(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS, INT, 1000, Validator.atLeast(0), "Fetch sessions kept.");
        define(REPLICA_LAG_TIME_MAX_MS, LONG, 30_000L, Validator.atLeast(1),
                "An ISR member that has not caught up with the leader for this long leaves the ISR.");
        define(REPLICA_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS, LONG, 5000L, Validator.atLeast(1),
                "How often each log dir's replication-offset-checkpoint (every partition's high watermark, "
                        + "restored at start) is rewritten; also written at a clean shutdown.");
        define(BROKER_RACK, STRING, null, Validator.ANY, "Rack of the broker: registered with the quorum, used for "
                + "rack-aware replica assignment and shown to clients (KIP-392 follower fetching matches it).");
        // Sluice loads no plugin classes: the one selector it implements is named by Kafka's class name.
        define(REPLICA_SELECTOR_CLASS, STRING, null, v -> v == null || ReplicaSelector.RACK_AWARE_CLASS_NAME.equals(v) ? null
                : "Sluice loads no plugin classes; it implements " + ReplicaSelector.RACK_AWARE_CLASS_NAME
                        + " only (unset: consumers read from the leader)",
                "Chooses the replica a consumer reads from (KIP-392); unset: the leader.");
        define(NUM_REPLICA_FETCHERS, INT, 1, Validator.atLeast(1), "Fetcher threads per source broker.");
        define(REPLICA_FETCH_MAX_BYTES, INT, 1_048_576, Validator.atLeast(0), "Bytes a follower asks for per partition.");
        define(REPLICA_FETCH_RESPONSE_MAX_BYTES, INT, 10_485_760, Validator.atLeast(0),
                "Bytes a follower asks for per fetch, over all partitions.");
        define(REPLICA_FETCH_WAIT_MAX_MS, INT, 500, Validator.atLeast(0), "How long a follower's fetch waits on the leader.");
        define(REPLICA_FETCH_MIN_BYTES, INT, 1, Validator.atLeast(1), "Bytes a follower's fetch waits for.");
        define(REPLICA_FETCH_BACKOFF_MS, LONG, 1000L, Validator.atLeast(0), "Back-off after a follower's fetch fails.");
        define(REPLICA_SOCKET_TIMEOUT_MS, INT, 30_000, Validator.atLeast(1), "Connect and read timeout of a follower's fetch.");
        define(CONTROLLED_SHUTDOWN_ENABLE, BOOLEAN, true, Validator.ANY,
                "On SIGTERM, move partition leadership to other in-sync replicas before stopping.");
        define(CONTROLLED_SHUTDOWN_TIMEOUT_MS, LONG, 30_000L, Validator.atLeast(1),
                "Longest wait for the quorum to move leadership away at a controlled shutdown.");
        define(BROKER_SESSION_TIMEOUT_MS, INT, 9000, Validator.atLeast(1), "Broker session timeout.");
        define(BROKER_HEARTBEAT_INTERVAL_MS, INT, 2000, Validator.atLeast(1), "Broker heartbeat interval.");
        define(AUTO_LEADER_REBALANCE_ENABLE, BOOLEAN, true, Validator.ANY,
                "The quorum leader moves leadership back to preferred replicas when a broker's leader imbalance is too high.");
        define(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS, LONG, 300L, Validator.atLeast(1), "How often leader imbalance is checked.");
        define(OFFSETS_TOPIC_REPLICATION_FACTOR, INT, 3, Validator.atLeast(1),
                "Replication factor of __consumer_offsets. Left unset on a "
                        + "single node, Kafka's 3 is capped at the live brokers; otherwise it is a demand, as in Kafka.");
        define(OFFSETS_TOPIC_NUM_PARTITIONS, INT, 50, Validator.atLeast(1), "Partitions of __consumer_offsets.");
        define(TRANSACTION_STATE_LOG_REPLICATION_FACTOR, INT, 3, Validator.atLeast(1), "Txn log RF" + ignoredYet);
        define(TRANSACTION_STATE_LOG_MIN_ISR, INT, 2, Validator.atLeast(1), "Txn log min ISR" + ignoredYet);
        define(GROUP_INITIAL_REBALANCE_DELAY_MS, INT, 3000, Validator.atLeast(0),
                "How long the first rebalance of an empty group waits for more members.");
        define(GROUP_MIN_SESSION_TIMEOUT_MS, INT, 6000, Validator.atLeast(1), "Smallest session.timeout.ms a member may ask for.");
        define(GROUP_MAX_SESSION_TIMEOUT_MS, INT, 1_800_000, Validator.atLeast(1), "Largest session.timeout.ms a member may ask for.");
        define(GROUP_MAX_SIZE, INT, Integer.MAX_VALUE, Validator.atLeast(1), "Most members of one group.");
        // KIP-848 consumer groups (group.protocol=consumer); GroupConfig checks the bounds against each other.
        define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, INT, 45_000, Validator.atLeast(1),
                "Session of a consumer-protocol member: removed when it does not heartbeat for this long.");
        define(GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, INT, 45_000, Validator.atLeast(1),
                "Smallest group.consumer.session.timeout.ms allowed.");
        define(GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS, INT, 60_000, Validator.atLeast(1),
                "Largest group.consumer.session.timeout.ms allowed.");
        define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, INT, 5000, Validator.atLeast(1),
                "Heartbeat interval the coordinator gives consumer-protocol members.");
        define(GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, INT, 5000, Validator.atLeast(1),
                "Smallest group.consumer.heartbeat.interval.ms allowed.");
        define(GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS, INT, 15_000, Validator.atLeast(1),
                "Largest group.consumer.heartbeat.interval.ms allowed.");
        define(GROUP_CONSUMER_MAX_SIZE, INT, Integer.MAX_VALUE, Validator.atLeast(1), "Most members of one consumer group.");
        define(GROUP_CONSUMER_ASSIGNORS, LIST, "uniform,range", v -> ((List<?>) v).isEmpty()
                        ? "must name at least one assignor" : Validator.listOf("uniform", "range").check(v),
                "Server-side assignors of consumer groups, the first the default: uniform and range "
                        + "(Sluice loads no plugin classes).");
        define(GROUP_CONSUMER_MIGRATION_POLICY, STRING, "bidirectional",
                v -> MigrationPolicy.parse((String) v) != null ? null
                        : "must be one of disabled, upgrade, downgrade, bidirectional",
                "Conversion of live groups between the classic and consumer protocols (KIP-848 online "
                        + "upgrade and downgrade): disabled, upgrade, downgrade or bidirectional.");
        define(GROUP_COORDINATOR_REBALANCE_PROTOCOLS, LIST, "classic,consumer,streams", v -> {
                    String bad = Validator.listOf("classic", "consumer", "streams").check(v);
                    return bad != null ? bad : ((List<?>) v).contains("classic") ? null : "must contain classic";
                },
                "Group protocols served: classic always; consumer (KIP-848) unless left out, then "
                        + "ConsumerGroupHeartbeat answers UNSUPPORTED_VERSION; streams groups are not served yet.");
        define(OFFSET_METADATA_MAX_BYTES, INT, 4096, Validator.atLeast(0), "Largest metadata string of a committed offset.");
        define(OFFSETS_RETENTION_MINUTES, INT, 10080, Validator.atLeast(1),
                "Committed offsets of an empty group are kept this long.");
        define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, LONG, 600_000L, Validator.atLeast(1), "Offset expiry check interval.");
        define(OFFSETS_TOPIC_SEGMENT_BYTES, INT, 104_857_600, Validator.atLeast(1024 * 1024), "Segment size of __consumer_offsets.");
        define(OFFSETS_TOPIC_COMPRESSION_CODEC, INT, 0, Validator.between(0, 4),
                "Codec of the group coordinator's batches in __consumer_offsets (Kafka's CompressionType ids: 0 none, "
                        + "1 gzip, 2 snappy, 3 lz4, 4 zstd).");
        // Share groups (KIP-932). Kafka turns them on with the share.version feature (level 1, set with
        // UpdateFeatures and kept by the quorum); this setting is a floor under it, as Kafka's format-time
        // --feature share.version=1 turns them on from the first start.
        define(SHARE_VERSION, INT, 0, Validator.between(0, 1),
                "Sluice: a floor under the share.version feature level (kafka-features upgrade --feature "
                        + "share.version=1 sets it cluster-wide); 1 serves share groups (KIP-932) from the start. "
                        + "Level 2 (dead-letter queues) is not served.");
        define(GROUP_SHARE_SESSION_TIMEOUT_MS, INT, 45_000, Validator.atLeast(1),
                "A share group member that sends no heartbeat for this long is removed.");
        define(GROUP_SHARE_HEARTBEAT_INTERVAL_MS, INT, 5000, Validator.atLeast(1),
                "Heartbeat interval given to share group members; below group.share.session.timeout.ms.");
        define(GROUP_SHARE_MAX_SIZE, INT, 200, Validator.between(1, 1000), "Most members of one share group.");
        define(GROUP_SHARE_RECORD_LOCK_DURATION_MS, INT, 30_000, Validator.between(1000, 3_600_000),
                "How long a share group member holds records it acquired before they are delivered again.");
        define(GROUP_SHARE_DELIVERY_COUNT_LIMIT, INT, 5, Validator.between(2, 10),
                "Deliveries of one record to a share group; past it the record is archived.");
        define(GROUP_SHARE_PARTITION_MAX_RECORD_LOCKS, INT, 2000, Validator.between(100, 10_000),
                "Most in-flight (acquired or awaiting redelivery) records of one share-partition.");
        define(GROUP_SHARE_MAX_SHARE_SESSIONS, INT, 2000, Validator.atLeast(1), "Most share sessions per broker.");
        define(SHARE_STATE_TOPIC_NUM_PARTITIONS, INT, 50, Validator.atLeast(1), "Partitions of __share_group_state.");
        define(SHARE_STATE_TOPIC_REPLICATION_FACTOR, INT, 3, Validator.atLeast(1),
                "Replication factor of __share_group_state; as offsets.topic.replication.factor, capped at the "
                        + "live brokers on a single node when left unset.");
        define(SHARE_STATE_TOPIC_SEGMENT_BYTES, INT, 104_857_600, Validator.atLeast(1024 * 1024),
                "Segment size of __share_group_state.");
        define(SHARE_STATE_TOPIC_COMPRESSION_CODEC, INT, 0, Validator.between(0, 4),
                "Codec of the share state batches in __share_group_state (ids as offsets.topic.compression.codec).");
        define(PRODUCER_ID_EXPIRATION_MS, INT, 86_400_000, Validator.atLeast(1),
                "Producer state older than this is not rebuilt from the log at start.");
        define(NUM_RECOVERY_THREADS_PER_DATA_DIR, INT, 2, Validator.atLeast(1), "Recovery threads" + ignoredYet);
        define(CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS, INT, 150, Validator.atLeast(1),
                "Quorum election timeout; Ratis waits a random 1-2x this (Sluice default 150; Kafka's own Raft uses 1000).");
        define(CONTROLLER_QUORUM_REQUEST_TIMEOUT_MS, INT, 2000, Validator.atLeast(1), "Quorum request timeout.");
        define(METADATA_SNAPSHOT_INTERVAL_ENTRIES, LONG, 20_000L, Validator.atLeast(1), "Sluice: metadata snapshot interval.");
        define(METADATA_SNAPSHOT_RETAIN_COUNT, INT, 2, Validator.atLeast(1), "Sluice: metadata snapshots kept.");
        define(METADATA_SUBMIT_TIMEOUT_MS, INT, 10_000, Validator.atLeast(1), "Sluice: metadata command timeout.");
        define(METADATA_LOG_SEGMENT_BYTES, INT, null, Validator.atLeast(1),
                "Sluice: segment size of the metadata quorum's Ratis log (default: raft-metadata's).");
        define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, LONG, Long.MAX_VALUE, Validator.atLeast(1), "How often flush.ms is checked.");
        define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, LONG, 60_000L, Validator.atLeast(1), "Recovery point checkpoint interval.");
        define(LOG_FLUSH_START_OFFSET_CHECKPOINT_INTERVAL_MS, LONG, 60_000L, Validator.atLeast(1), "Log start offset checkpoint interval.");
        define(LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, LONG, Long.MAX_VALUE, Validator.atLeast(0), "Oldest CreateTime accepted.");
        define(LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, LONG, 3_600_000L, Validator.atLeast(0), "Newest CreateTime accepted.");
        define(LOG_MAPPED_SEGMENTS_MAX, INT, 2048, Validator.atLeast(1), "Sluice: bound on open segment mappings.");
        define(LOG_SEGMENT_RESERVE_STEP_MIN_BYTES, INT, 1024 * 1024, Validator.atLeast(4096), "Sluice: first disk reservation of a segment.");
        define(LOG_SEGMENT_RESERVE_STEP_MAX_BYTES, INT, 16 * 1024 * 1024, Validator.atLeast(4096), "Sluice: largest reservation step.");
        define(CONNECTION_INFLIGHT_REQUESTS_MAX, INT, 100, Validator.atLeast(1),
                "Sluice: requests of one connection awaiting their response before reading stops.");
        define(CONNECTION_OUTBOUND_BYTES_MAX, INT, 8 * 1024 * 1024, Validator.atLeast(64 * 1024),
                "Sluice: unsent response bytes of one connection before reading stops.");
        define(METRICS_LISTENER, STRING, "http://localhost:9644", Validator.ANY,
                "Sluice: the Prometheus metrics endpoint, http://host:port (port 0: any free port); empty: none.");
        define(LAG_WINDOW_COMMITS, INT, 10, Validator.atLeast(2),
                "Sluice: commits per group partition that a lag verdict judges (Burrow's window).");
        define(LAG_SAMPLE_INTERVAL_MS, LONG, 5000L, Validator.atLeast(100),
                "Sluice: how often the lag monitor reads committed offsets and partition ends.");
        define(LAG_PARTITIONS_MAX, INT, 100_000, Validator.atLeast(1),
                "Sluice: group partitions the lag monitor follows at most.");
        define(LAG_END_SAMPLES_MAX, INT, 120, Validator.atLeast(2),
                "Sluice: end-offset samples kept per partition to date a committed offset (time lag).");
    }

    private ServerConfigDef() { }

    private static void define(String name, Type type, Object def, Validator validator, String doc) {
        KEYS.put(name, new ConfigKey(name, type, def, validator, doc));
    }

    public static Map<String, ConfigKey> keys() {
        return Collections.unmodifiableMap(KEYS);
    }
}
