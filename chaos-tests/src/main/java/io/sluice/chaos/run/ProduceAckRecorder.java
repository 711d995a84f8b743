package io.sluice.chaos.run;

import io.sluice.chaos.history.History;
import io.sluice.chaos.history.OpKind;
import io.sluice.chaos.history.OpType;
import io.sluice.chaos.proxy.ProduceAck;
import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.ServingProbe;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/**
 * Turns the acknowledgements each node's proxy sees ({@link ProduceAck}) into
 * {@link OpKind#PRODUCE_ACK} ops of the history, naming the node, for the workload topics only.
 * Produce v13+ names topics by id, so the ids are learnt once the topics exist. Called from the
 * proxies' threads (the history is synchronized); the counts are for the schedule's notes.
 */
final class ProduceAckRecorder {
    private static final long ANSWER_TIMEOUT_MS = 10_000;

    private final History history;
    private final Set<String> topics;
    private final Map<Uuid, String> topicById = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> countByNode = new ConcurrentHashMap<>();
    private final AtomicLong unnamed = new AtomicLong();
    private volatile boolean idsLearnt;

    ProduceAckRecorder(History history, Set<String> topics) {
        this.history = history;
        this.topics = topics;
    }

    void observe(BrokerNode node) {
        AtomicLong count = countByNode.computeIfAbsent(node.name(), n -> new AtomicLong());
        node.proxy().observeProduceAcks(ack -> {
            String topic = ack.topic() != null && !ack.topic().isEmpty() ? ack.topic() : topicById.get(ack.topicId());
            if (topic == null) {
                if (idsLearnt) {
                    unnamed.incrementAndGet();
                }
            } else if (topics.contains(topic)) {
                count.incrementAndGet();
                history.add(OpType.OK, OpKind.PRODUCE_ACK, "proxy", node.name(), topic, ack.partition(),
                        ack.baseOffset(), null, null, null);
            }
        });
    }

    /** Asks the cluster for every topic's id (Produce v13+ responses carry only those), once the topics exist. */
    void learnTopicIds(String bootstrap) {
        try (Admin admin = ServingProbe.admin(bootstrap)) {
            Set<String> all = admin.listTopics().names().get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            for (TopicDescription d : admin.describeTopics(all).allTopicNames()
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS).values()) {
                topicById.put(d.topicId(), d.name());
            }
            idsLearnt = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // without ids, v13+ acknowledgements stay unnamed; the note's count shows it
        }
    }

    /** Acknowledgements recorded per node, and how many named a topic id this run never learnt. */
    String countsByNode() {
        Map<String, Long> sorted = new TreeMap<>();
        countByNode.forEach((n, c) -> sorted.put(n, c.get()));
        return sorted + (unnamed.get() > 0 ? ", unnamed (unknown topic id) " + unnamed.get() : "");
    }
}
