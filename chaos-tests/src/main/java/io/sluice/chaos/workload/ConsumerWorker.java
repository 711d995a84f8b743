package io.sluice.chaos.workload;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.history.Read;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one topic with a real {@link KafkaConsumer} and records every non-empty poll, every
 * position jump (assignment, seek past a corrupt batch) and, in the committing modes, every offset
 * commit and committed-offset read. Owns its thread and consumer; {@link #stop} from any thread.
 */
public final class ConsumerWorker implements Runnable {
    /** How the consumer gets its partitions and whether it commits. */
    public enum Mode {
        /** assign() all partitions, start at the beginning, never commit. */
        ASSIGN,
        /** assign() all partitions, resume from the committed offsets, commit positions (needs OffsetCommit). */
        ASSIGN_COMMIT,
        /** subscribe() in a consumer group (needs the group protocol), commit positions. */
        GROUP
    }

    private static final long COMMIT_INTERVAL_NANOS = 500_000_000L;
    private static final long FETCH_COMMITTED_INTERVAL_NANOS = 2_000_000_000L;
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final TopicSpec topic;
    private final String process;
    private final String node;
    private final String bootstrap;
    private final History history;
    private final Mode mode;
    private final String groupId;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, String> consumer;
    private final Map<TopicPartition, Long> lastCorruptSkip = new HashMap<>();

    public ConsumerWorker(TopicSpec topic, String process, String node, String bootstrap, History history, Mode mode) {
        this.topic = topic;
        this.process = process;
        this.node = node;
        this.bootstrap = bootstrap;
        this.history = history;
        this.mode = mode;
        this.groupId = groupId(topic, mode);
        this.thread = new Thread(this, "consumer-" + process);
        thread.setDaemon(true);
    }

    /** The group a consumer of {@code topic} in {@code mode} commits in (an ASSIGN consumer commits nothing). */
    public static String groupId(TopicSpec topic, Mode mode) {
        return mode == Mode.GROUP ? "chaos-group-" + topic.name() : "chaos-" + topic.name();
    }

    static Properties config(String bootstrap, String clientId, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        String group = mode == Mode.ASSIGN ? null : groupId;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config(bootstrap, process, group))) {
            consumer = c;
            if (mode == Mode.GROUP) {
                c.subscribe(List.of(topic.name()), new Rebalance(c));
            } else {
                List<TopicPartition> tps = partitions();
                c.assign(tps);
                startPositions(c, tps);
            }
            long nextCommit = System.nanoTime() + COMMIT_INTERVAL_NANOS;
            long nextFetchCommitted = System.nanoTime() + FETCH_COMMITTED_INTERVAL_NANOS;
            while (running) {
                pollOnce(c);
                long now = System.nanoTime();
                try {
                    if (mode != Mode.ASSIGN && now >= nextCommit) {
                        nextCommit = now + COMMIT_INTERVAL_NANOS;
                        commit(c, c.assignment());
                    }
                    if (mode != Mode.ASSIGN && now >= nextFetchCommitted) {
                        nextFetchCommitted = now + FETCH_COMMITTED_INTERVAL_NANOS;
                        fetchCommitted(c, c.assignment());
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // recorded as a failed op already; a consumer keeps going through faults, like a user's would
                    sleepQuietly(100);
                }
            }
            if (mode != Mode.ASSIGN) {
                commit(c, c.assignment());
            }
        } catch (WakeupException e) {
            // stop() woke a blocking call: the normal way out
        }
    }

    private List<TopicPartition> partitions() {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            tps.add(new TopicPartition(topic.name(), p));
        }
        return tps;
    }

    /** Beginning, or the committed offsets when committing; retried until the broker answers. */
    private void startPositions(KafkaConsumer<String, String> c, List<TopicPartition> tps) {
        while (running) {
            try {
                if (mode == Mode.ASSIGN_COMMIT) {
                    Map<TopicPartition, OffsetAndMetadata> committed = fetchCommitted(c, Set.copyOf(tps));
                    for (TopicPartition tp : tps) {
                        OffsetAndMetadata om = committed.get(tp);
                        if (om != null) {
                            c.seek(tp, om.offset());
                        } else {
                            c.seekToBeginning(List.of(tp));
                        }
                    }
                } else {
                    c.seekToBeginning(tps);
                }
                recordPositions(c, tps);
                return;
            } catch (RuntimeException e) {
                if (e instanceof WakeupException w) {
                    throw w;
                }
                sleepQuietly(200);
            }
        }
    }

    /**
     * Where the consumer starts each partition. A committing consumer names its group (the op's
     * value): the position came from the group's committed offset, and the checker holds it
     * against the group's commits ({@code RESUMED_BELOW_COMMIT}).
     */
    private void recordPositions(KafkaConsumer<String, String> c, Collection<TopicPartition> tps) {
        String committedBy = mode == Mode.ASSIGN ? null : groupId;
        for (TopicPartition tp : tps) {
            long position = c.position(tp, CALL_TIMEOUT);
            history.add(OpType.OK, OpKind.SEEK, process, node, tp.topic(), tp.partition(), position, committedBy, null,
                    null);
        }
    }

    private void pollOnce(KafkaConsumer<String, String> c) {
        try {
            ConsumerRecords<String, String> records = c.poll(POLL_TIMEOUT);
            if (!records.isEmpty()) {
                List<Read> reads = new ArrayList<>(records.count());
                for (ConsumerRecord<String, String> r : records) {
                    reads.add(new Read(r.topic(), r.partition(), r.offset(), r.value()));
                }
                history.add(OpType.OK, OpKind.POLL, process, node, null, -1, -1, null, reads, null);
            }
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            history.add(OpType.FAIL, OpKind.POLL, process, node, null, -1, -1, null, null, e.toString());
            Optional<CorruptRecordSkip.Where> where = CorruptRecordSkip.parse(e);
            if (where.isPresent() && c.assignment().contains(where.get().tp())) {
                // A corrupt batch: seek past it as a user would, one step further each time it repeats.
                TopicPartition tp = where.get().tp();
                long target = Math.max(where.get().offset() + 1, lastCorruptSkip.getOrDefault(tp, -1L) + 1);
                lastCorruptSkip.put(tp, target);
                c.seek(tp, target);
                history.add(OpType.OK, OpKind.SEEK, process, node, tp.topic(), tp.partition(), target, null, null,
                        "past corrupt record");
            } else {
                sleepQuietly(100);
            }
        }
    }

    private void commit(KafkaConsumer<String, String> c, Set<TopicPartition> tps) {
        if (tps.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        try {
            for (TopicPartition tp : tps) {
                offsets.put(tp, new OffsetAndMetadata(c.position(tp, CALL_TIMEOUT)));
            }
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            return; // no position, nothing to commit
        }
        offsets.forEach((tp, om) -> history.add(OpType.INVOKE, OpKind.COMMIT, process, node, tp.topic(),
                tp.partition(), om.offset(), groupId, null, null));
        OpType outcome;
        String error = null;
        try {
            c.commitSync(offsets, CALL_TIMEOUT);
            outcome = OpType.OK;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            outcome = OpType.INFO;
            error = e.toString();
        }
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            history.add(outcome, OpKind.COMMIT, process, node, e.getKey().topic(), e.getKey().partition(),
                    e.getValue().offset(), groupId, null, error);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> fetchCommitted(KafkaConsumer<String, String> c,
                                                                 Set<TopicPartition> tps) {
        if (tps.isEmpty()) {
            return Map.of();
        }
        for (TopicPartition tp : tps) {
            history.add(OpType.INVOKE, OpKind.FETCH_COMMITTED, process, node, tp.topic(), tp.partition(), -1, groupId,
                    null, null);
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(tps, CALL_TIMEOUT);
            for (TopicPartition tp : tps) {
                OffsetAndMetadata om = committed.get(tp);
                history.add(OpType.OK, OpKind.FETCH_COMMITTED, process, node, tp.topic(), tp.partition(),
                        om == null ? -1 : om.offset(), groupId, null, null);
            }
            return committed;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            for (TopicPartition tp : tps) {
                history.add(OpType.FAIL, OpKind.FETCH_COMMITTED, process, node, tp.topic(), tp.partition(), -1,
                        groupId, null, e.toString());
            }
            throw e;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, String> c;

        Rebalance(KafkaConsumer<String, String> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(c, Set.copyOf(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            try {
                recordPositions(c, partitions);
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                // Position unknown: the next read starts a fresh chain instead of being checked for skips.
                for (TopicPartition tp : partitions) {
                    history.add(OpType.OK, OpKind.SEEK, process, node, tp.topic(), tp.partition(), -1, null, null,
                            e.toString());
                }
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(30_000);
    }
}
