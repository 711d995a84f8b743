package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.consumer.ConsumerGroup;
import io.sluice.server.group.consumer.ConsumerGroupConfig;
import io.sluice.server.group.consumer.ConsumerMember;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded runs of KIP-848 clients against one shard with a stepped clock: clients join, heartbeat
 * (acknowledging revocations at once), leave, crash and come back, some static, while topics
 * grow. After every event: no partition is owned by two live clients (revoke before assign), the
 * coordinator never lets two members own a partition, member epochs never go back. At the end,
 * with everyone heartbeating, the group is Stable and every partition is owned exactly once, at
 * most one apart between members. A failure names its seed; {@code -Dsluice.group.seed=N} replays it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerGroupSimulationTest {

    static final int RUNS = 30;
    static final int EVENTS = 300;
    static final int SESSION_MS = 10_000;

    /** One consumer as the client sees itself. */
    static final class Client {
        final String memberId;
        final String instanceId;
        boolean alive;
        int epoch;
        Map<Uuid, Set<Integer>> owned = new HashMap<>();

        Client(String memberId, String instanceId) {
            this.memberId = memberId;
            this.instanceId = instanceId;
        }
    }

    @Test
    void randomRunsNeverGiveAPartitionToTwoClientsAndSettleBalanced() {
        String fixed = System.getProperty("sluice.group.seed");
        long base = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        int runs = fixed != null ? 1 : RUNS;
        for (int i = 0; i < runs; i++) {
            long seed = base + i;
            try {
                run(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("consumer group simulation failed with seed " + seed
                        + " (replay: -Dsluice.group.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private void run(long seed) {
        Random rnd = new Random(seed);
        GroupHarness h = new GroupHarness(GroupConfig.defaults().withConsumer(
                ConsumerGroupConfig.defaults().withTimeouts(SESSION_MS, 1000)));
        h.topics.create("a", 1 + rnd.nextInt(6));
        List<Client> clients = new ArrayList<>();
        int n = 2 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            clients.add(new Client("m" + i + "-" + seed, rnd.nextInt(3) == 0 ? "i" + i : null));
        }
        Map<String, Integer> lastEpoch = new HashMap<>();
        for (int e = 0; e < EVENTS; e++) {
            Client c = clients.get(rnd.nextInt(clients.size()));
            int kind = rnd.nextInt(20);
            if (!c.alive && kind < 10) {
                c.alive = true;
                c.epoch = 0;
                c.owned = new HashMap<>();
                heartbeat(h, c);
            } else if (c.alive && kind == 10) {
                leave(h, c);
            } else if (c.alive && kind == 11) {
                c.alive = false; // crash: the process and what it owned are gone
                c.owned = new HashMap<>();
            } else if (kind == 12 && e % 50 == 0) {
                h.topics.create("b" + e, 1 + rnd.nextInt(4));
            }
            // every live client heartbeats each round, in random order, then time passes
            List<Client> order = new ArrayList<>(clients);
            Collections.shuffle(order, rnd);
            for (Client x : order) {
                if (x.alive) {
                    heartbeat(h, x);
                    checkNoDoubleOwnership(clients);
                }
            }
            h.step(rnd.nextInt(1500));
            checkCoordinator(h, lastEpoch);
        }
        for (int round = 0; round < 20; round++) {
            for (Client x : clients) {
                if (x.alive) {
                    heartbeat(h, x);
                }
            }
            h.step(1000);
        }
        h.step(SESSION_MS + 1000); // crashed and left static members time out (live ones too: then beat again)
        for (int round = 0; round < 20; round++) {
            for (Client x : clients) {
                if (x.alive) {
                    heartbeat(h, x);
                }
            }
        }
        ConsumerGroup g = h.shard.consumer().group("g");
        if (clients.stream().noneMatch(x -> x.alive)) {
            return;
        }
        assertThat(g.state().kafkaName()).isEqualTo("Stable");
        int partitions = h.topics.all().stream().filter(t -> t.name().equals("a"))
                .mapToInt(t -> t.partitions()).sum();
        List<Integer> counts = new ArrayList<>();
        Set<String> all = new HashSet<>();
        for (Client x : clients) {
            if (x.alive) {
                int count = 0;
                for (var en : x.owned.entrySet()) {
                    for (int p : en.getValue()) {
                        assertThat(all.add(en.getKey() + "-" + p)).isTrue();
                        count++;
                    }
                }
                counts.add(count);
            }
        }
        assertThat(all).hasSize(partitions);
        assertThat(Collections.max(counts) - Collections.min(counts)).isLessThanOrEqualTo(1);
    }

    private static void heartbeat(GroupHarness h, Client c) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned = new ArrayList<>();
        c.owned.forEach((t, ps) -> owned.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(t)
                .setPartitions(new ArrayList<>(ps))));
        ConsumerGroupHeartbeatRequestData r = new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId(c.memberId).setInstanceId(c.instanceId).setMemberEpoch(c.epoch).setTopicPartitions(owned);
        if (c.epoch == 0) {
            r.setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("a"));
        }
        ConsumerGroupHeartbeatResponseData resp = h.shard.consumer().heartbeat(r, (short) 1, "client", "/127.0.0.1");
        if (resp.errorCode() != 0) {
            // fenced, unknown, or the instance id not released yet: drop everything, rejoin later
            c.owned = new HashMap<>();
            c.epoch = 0;
            return;
        }
        c.epoch = resp.memberEpoch();
        if (resp.assignment() != null) {
            Map<Uuid, Set<Integer>> next = new HashMap<>();
            resp.assignment().topicPartitions().forEach(tp -> next.put(tp.topicId(), new HashSet<>(tp.partitions())));
            c.owned = next; // revokes what is gone and takes what is new, at once
        }
    }

    private static void leave(GroupHarness h, Client c) {
        int epoch = c.instanceId != null ? ConsumerMember.LEAVE_STATIC_EPOCH : ConsumerMember.LEAVE_EPOCH;
        h.shard.consumer().heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(c.memberId)
                .setInstanceId(c.instanceId).setMemberEpoch(epoch), (short) 1, "client", "/127.0.0.1");
        c.alive = false;
        c.owned = new HashMap<>();
    }

    private static void checkNoDoubleOwnership(List<Client> clients) {
        Map<String, String> owner = new HashMap<>();
        for (Client x : clients) {
            if (!x.alive) {
                continue;
            }
            x.owned.forEach((t, ps) -> ps.forEach(p -> {
                String prev = owner.put(t + "-" + p, x.memberId);
                assertThat(prev).as("partition %s-%d owned by %s and %s", t, p, prev, x.memberId).isNull();
            }));
        }
    }

    private static void checkCoordinator(GroupHarness h, Map<String, Integer> lastEpoch) {
        ConsumerGroup g = h.shard.consumer().group("g");
        if (g == null) {
            return;
        }
        Set<String> owned = new HashSet<>();
        for (ConsumerMember m : g.members()) {
            List<Map<Uuid, Set<Integer>>> both = List.of(m.assigned(), m.pendingRevocation());
            for (Map<Uuid, Set<Integer>> part : both) {
                part.forEach((t, ps) -> ps.forEach(p -> assertThat(owned.add(t + "-" + p))
                        .as("coordinator gave %s-%d twice", t, p).isTrue()));
            }
            Integer last = lastEpoch.put(m.memberId(), m.memberEpoch());
            if (last != null && last >= 0 && m.memberEpoch() >= 0) {
                assertThat(m.memberEpoch()).as("epoch of %s went back", m.memberId()).isGreaterThanOrEqualTo(last);
            }
        }
        assertThat(g.assignmentEpoch()).isLessThanOrEqualTo(g.groupEpoch());
    }
}
