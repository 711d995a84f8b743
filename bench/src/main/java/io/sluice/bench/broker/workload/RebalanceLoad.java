package io.sluice.bench.broker.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Rebalance time: {@code consumers} members of one group ({@code group.protocol} classic or
 * consumer, every other setting the client's default) subscribe to a topic; once the group is
 * stable, one more member joins, and the time from its subscribe to the group being stable again
 * is one sample. Stable: every partition owned by exactly one member and every member owning at
 * least one, as each member's own {@code assignment()} says after its latest poll. The joiner then
 * leaves and the group settles again, unmeasured; {@value #JOINS} joins per repetition. Stateless;
 * {@link #run} owns its consumers.
 */
public final class RebalanceLoad {
    static final int JOINS = 3;
    /** A group that is not stable this long after a change has failed the workload. */
    private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(20);

    private RebalanceLoad() {
    }

    public static LoadResult run(LoadContext ctx, Workload workload, String topic) {
        Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < workload.partitions(); p++) {
            all.add(new TopicPartition(topic, p));
        }
        Group group = new Group(ctx, workload, topic);
        MeasureWindow window = new MeasureWindow(ctx.pids());
        Histogram micros = LatencySummary.newHistogram();
        long startNs = System.nanoTime();
        try {
            ctx.live().phase("form group", 0);
            for (int i = 0; i < workload.consumers(); i++) {
                group.add();
            }
            group.awaitStable(all);
            window.open();
            for (int join = 1; join <= JOINS; join++) {
                ctx.live().phase("join " + join + "/" + JOINS, 0);
                long joinNs = System.nanoTime();
                Member joiner = group.add();
                group.awaitStable(all);
                micros.recordValue(Math.max(1, (System.nanoTime() - joinNs) / 1000));
                ctx.live().addRecords(1);
                group.remove(joiner);
                group.awaitStable(all);
            }
            window.close();
        } catch (IllegalStateException e) {
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoadResult.failed(workload, ctx.broker(), ctx.rep(), "interrupted");
        } finally {
            group.closeAll();
        }
        return window.result(workload, ctx.broker(), ctx.rep(), micros.getTotalCount(), 0,
                (System.nanoTime() - startNs) / 1e9, LatencySummary.of(micros), 0, null);
    }

    /** The members, and what each owns after its latest poll. */
    private static final class Group {
        private final Properties props;
        private final String topic;
        private final List<Member> members = new ArrayList<>();
        private final Map<Member, Set<TopicPartition>> owned = new ConcurrentHashMap<>();

        Group(LoadContext ctx, Workload workload, String topic) {
            this.topic = topic;
            props = ctx.consumerProps();
            props.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, workload.groupProtocol());
        }

        Member add() {
            Member m = new Member(props, topic, owned);
            members.add(m);
            m.start();
            return m;
        }

        void remove(Member m) throws InterruptedException {
            members.remove(m);
            m.close();
            owned.remove(m);
        }

        void awaitStable(Set<TopicPartition> all) throws InterruptedException {
            long deadline = System.nanoTime() + STABLE_TIMEOUT.toNanos();
            while (!stable(all)) {
                for (Member m : members) {
                    if (m.failure.get() != null) {
                        throw new IllegalStateException("member: " + m.failure.get());
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("group of " + members.size() + " not stable after "
                            + STABLE_TIMEOUT.toSeconds() + " s: " + owned.values());
                }
                Thread.sleep(1);
            }
        }

        private boolean stable(Set<TopicPartition> all) {
            int total = 0;
            Set<TopicPartition> union = new HashSet<>();
            for (Member m : members) {
                Set<TopicPartition> mine = owned.get(m);
                if (mine == null || mine.isEmpty()) {
                    return false;
                }
                total += mine.size();
                union.addAll(mine);
            }
            return total == all.size() && union.equals(all);
        }

        void closeAll() {
            for (Member m : members) {
                try {
                    m.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One group member polling on its own thread and publishing its assignment after each poll. */
    private static final class Member extends Thread {
        private final Properties props;
        private final String topic;
        private final Map<Member, Set<TopicPartition>> owned;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Exception> failure = new AtomicReference<>();

        Member(Properties props, String topic, Map<Member, Set<TopicPartition>> owned) {
            super("bench-group-member");
            setDaemon(true);
            this.props = props;
            this.topic = topic;
            this.owned = owned;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic));
                while (running.get()) {
                    consumer.poll(POLL_TIMEOUT);
                    owned.put(this, Set.copyOf(consumer.assignment()));
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }

        void close() throws InterruptedException {
            running.set(false);
            join(STABLE_TIMEOUT.toMillis());
        }
    }
}
