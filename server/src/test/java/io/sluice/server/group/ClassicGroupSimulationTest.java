package io.sluice.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.group.classic.ClassicGroup;
import io.sluice.server.group.classic.ClassicMember;
import io.sluice.server.group.classic.GroupState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random runs of the classic protocol: clients join, sync, heartbeat, leave, crash and
 * restart (some static) while the clock moves; invariants are checked after every event, and at
 * the end every parked request must have been answered once the clients go quiet. A failure
 * names its seed; {@code -Dsluice.group.seed=N} replays one run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClassicGroupSimulationTest {

    private static final int RUNS = 30;
    private static final int EVENTS = 400;

    /** One simulated consumer. */
    private static final class Client {
        final String instanceId;
        String memberId = "";
        int generation = -1;
        CompletableFuture<JoinGroupResponseData> join;
        CompletableFuture<SyncGroupResponseData> sync;
        boolean alive = true;
        final List<CompletableFuture<?>> all = new ArrayList<>();

        Client(String instanceId) {
            this.instanceId = instanceId;
        }
    }

    @Test
    void randomRunsKeepTheInvariantsAndAnswerEveryParkedRequest() {
        String fixed = System.getProperty("sluice.group.seed");
        long base = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        int runs = fixed != null ? 1 : RUNS;
        for (int i = 0; i < runs; i++) {
            long seed = base + i;
            try {
                run(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("group simulation failed with seed " + seed
                        + " (replay: -Dsluice.group.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private void run(long seed) {
        Random rnd = new Random(seed);
        GroupHarness h = new GroupHarness(GroupConfig.defaults().withInitialRebalanceDelayMs(rnd.nextInt(3) * 500));
        List<Client> clients = new ArrayList<>();
        int lastGeneration = 0;
        for (int e = 0; e < EVENTS; e++) {
            int kind = rnd.nextInt(10);
            List<Client> alive = clients.stream().filter(c -> c.alive).toList();
            Client c = alive.isEmpty() ? null : alive.get(rnd.nextInt(alive.size()));
            if (kind == 0 || c == null) {
                if (alive.size() < 5) {
                    Client n = new Client(rnd.nextInt(3) == 0 ? "static-" + clients.size() : null);
                    clients.add(n);
                    join(h, n);
                }
            } else if (kind <= 3) {
                act(h, c, clients);
            } else if (kind <= 5) {
                h.step(rnd.nextInt(4000));
            } else if (kind == 6) {
                if (!c.memberId.isEmpty()) {
                    h.leave("g", c.memberId, c.instanceId);
                }
                c.alive = false;
            } else if (kind == 7) {
                c.alive = false; // crash: silence
            } else if (kind == 8 && c.instanceId != null) {
                // a static member restarts: new incarnation, same instance id
                c.alive = false;
                Client n = new Client(c.instanceId);
                clients.add(n);
                join(h, n);
            } else {
                act(h, c, clients);
            }
            lastGeneration = checkInvariants(h, lastGeneration);
        }
        // quiet: nobody talks any more; every parked request must be answered and every member expire
        for (int i = 0; i < 40; i++) {
            h.step(5000);
        }
        for (Client c : clients) {
            for (CompletableFuture<?> f : c.all) {
                assertThat(f).as("a parked request of %s", c.memberId).isDone();
            }
        }
        ClassicGroup g = h.shard.groups().get("g");
        if (g != null) {
            assertThat(g.isEmptyOfMembers()).as("everyone expired: %s", g).isTrue();
            assertThat(g.state()).isEqualTo(GroupState.EMPTY);
        }
    }

    private static void join(GroupHarness h, Client c) {
        JoinGroupRequestData req = GroupHarness.joinRequest("g", c.memberId, c.instanceId, "range");
        c.join = h.join(req);
        c.all.add(c.join);
    }

    /** The client reacts to what it has been answered, as a consumer's poll loop would. */
    private static void act(GroupHarness h, Client c, List<Client> clients) {
        if (c.join != null) {
            if (!c.join.isDone()) {
                return;
            }
            JoinGroupResponseData r = c.join.getNow(null);
            c.join = null;
            if (r.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
                c.memberId = r.memberId();
                join(h, c);
            } else if (r.errorCode() == Errors.NONE.code()) {
                c.memberId = r.memberId();
                c.generation = r.generationId();
                SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId("g").setMemberId(c.memberId)
                        .setGroupInstanceId(c.instanceId).setGenerationId(c.generation);
                if (r.leader().equals(r.memberId()) && !r.skipAssignment()) {
                    for (JoinGroupResponseData.JoinGroupResponseMember m : r.members()) {
                        sync.assignments().add(GroupHarness.assign(m.memberId(), "a-" + m.memberId()));
                    }
                }
                c.sync = h.shard.classic().sync(sync);
                c.all.add(c.sync);
            } else if (r.errorCode() == Errors.FENCED_INSTANCE_ID.code()) {
                c.alive = false;
            } else {
                c.memberId = c.instanceId != null ? "" : c.memberId;
                if (r.errorCode() == Errors.UNKNOWN_MEMBER_ID.code()) {
                    c.memberId = "";
                }
                join(h, c);
            }
            return;
        }
        if (c.sync != null) {
            if (!c.sync.isDone()) {
                return;
            }
            SyncGroupResponseData r = c.sync.getNow(null);
            c.sync = null;
            if (r.errorCode() == Errors.FENCED_INSTANCE_ID.code()) {
                c.alive = false;
            } else if (r.errorCode() != Errors.NONE.code()) {
                if (r.errorCode() == Errors.UNKNOWN_MEMBER_ID.code()) {
                    c.memberId = "";
                }
                join(h, c);
            }
            return;
        }
        if (c.memberId.isEmpty()) {
            join(h, c);
            return;
        }
        short err = h.heartbeat("g", c.memberId, c.instanceId, c.generation).errorCode();
        if (err == Errors.FENCED_INSTANCE_ID.code()) {
            c.alive = false;
        } else if (err == Errors.UNKNOWN_MEMBER_ID.code()) {
            c.memberId = "";
            join(h, c);
        } else if (err != Errors.NONE.code()) {
            join(h, c);
        }
    }

    private static int checkInvariants(GroupHarness h, int lastGeneration) {
        ClassicGroup g = h.shard.groups().get("g");
        if (g == null) {
            return lastGeneration;
        }
        assertThat(g.generationId()).as("generation never goes back").isGreaterThanOrEqualTo(lastGeneration);
        switch (g.state()) {
            case EMPTY -> assertThat(g.isEmptyOfMembers()).as("an empty group has no members: %s", g).isTrue();
            case PREPARING_REBALANCE -> assertThat(h.shard.timer().isScheduled("join/g"))
                    .as("a rebalance always has a deadline: %s", g).isTrue();
            case COMPLETING_REBALANCE, STABLE -> {
                assertThat(g.has(g.leaderId())).as("the leader is a member: %s", g).isTrue();
                for (ClassicMember m : g.members()) {
                    assertThat(m.isAwaitingJoin()).as("no join parked outside a rebalance: %s", m).isFalse();
                    if (g.is(GroupState.STABLE)) {
                        assertThat(m.isAwaitingSync()).as("no sync parked in a stable group: %s", m).isFalse();
                    }
                }
            }
            case DEAD -> throw new AssertionError("a dead group is still listed: " + g);
        }
        for (ClassicMember m : g.members()) {
            assertThat(h.shard.timer().isScheduled("heartbeat/g/" + m.memberId()))
                    .as("every member has a session deadline: %s", m).isTrue();
            if (m.isStatic()) {
                assertThat(g.staticMemberId(m.groupInstanceId())).isEqualTo(m.memberId());
            }
        }
        return g.generationId();
    }
}
