package io.sluice.metadata.statemachine;

import io.sluice.metadata.command.AllocateProducerIds;
import io.sluice.metadata.command.AlterConfigs;
import io.sluice.metadata.command.AlterPartition;
import io.sluice.metadata.command.BrokerHeartbeat;
import io.sluice.metadata.command.CreatePartitions;
import io.sluice.metadata.command.CreateTopics;
import io.sluice.metadata.command.DeleteTopics;
import io.sluice.metadata.command.ElectLeaders;
import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.command.FenceExpiredBrokers;
import io.sluice.metadata.command.RegisterBroker;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rule of the applier with Kafka's error code for each bad input. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApplierRulesTest {
    private Harness h;
    private final Map<Integer, Long> epochs = new HashMap<>();

    @BeforeEach
    void threeBrokers() {
        h = new Harness();
        for (int id = 1; id <= 3; id++) {
            epochs.put(id, h.liveBroker(id, null));
        }
    }

    private short createCode(CreateTopics.NewTopic t) {
        return h.apply(new CreateTopics(List.of(t), false)).topics().get(0).errorCode();
    }

    @Test
    void createTopicsRejectsBadInputWithKafkaCodes() {
        assertThat(createCode(CreateTopics.NewTopic.of("ok", 3, 3))).isEqualTo(ErrorCodes.NONE);
        assertThat(createCode(CreateTopics.NewTopic.of("ok", 3, 3))).isEqualTo(ErrorCodes.TOPIC_ALREADY_EXISTS);
        assertThat(createCode(CreateTopics.NewTopic.of("bad/name", 1, 1))).isEqualTo(ErrorCodes.INVALID_TOPIC_EXCEPTION);
        assertThat(createCode(CreateTopics.NewTopic.of("", 1, 1))).isEqualTo(ErrorCodes.INVALID_TOPIC_EXCEPTION);
        assertThat(createCode(CreateTopics.NewTopic.of("x".repeat(250), 1, 1))).isEqualTo(ErrorCodes.INVALID_TOPIC_EXCEPTION);
        assertThat(createCode(CreateTopics.NewTopic.of("zero", 0, 1))).isEqualTo(ErrorCodes.INVALID_PARTITIONS);
        assertThat(createCode(CreateTopics.NewTopic.of("huge", 1_000_000, 1))).isEqualTo(ErrorCodes.INVALID_PARTITIONS);
        assertThat(createCode(CreateTopics.NewTopic.of("rf4", 1, 4))).isEqualTo(ErrorCodes.INVALID_REPLICATION_FACTOR);
        assertThat(createCode(CreateTopics.NewTopic.of("rf0", 1, 0))).isEqualTo(ErrorCodes.INVALID_REPLICATION_FACTOR);
        assertThat(createCode(new CreateTopics.NewTopic("cfg", 1, (short) 1, List.of(), Map.of("no.such", "1"))))
            .isEqualTo(ErrorCodes.INVALID_CONFIG);
        assertThat(createCode(new CreateTopics.NewTopic("cfg", 1, (short) 1, List.of(), Map.of("retention.ms", "-7"))))
            .isEqualTo(ErrorCodes.INVALID_CONFIG);
        assertThat(createCode(new CreateTopics.NewTopic("cfg", 1, (short) 1, List.of(),
            Map.of("cleanup.policy", "compact,delete", "min.insync.replicas", "2", "segment.bytes", "1048576"))))
            .isEqualTo(ErrorCodes.NONE);
        assertThat(createCode(new CreateTopics.NewTopic("man", -1, (short) -1, List.of(List.of(1, 9)), Map.of())))
            .isEqualTo(ErrorCodes.INVALID_REPLICA_ASSIGNMENT);
        assertThat(createCode(new CreateTopics.NewTopic("man", -1, (short) -1, List.of(List.of(1, 1)), Map.of())))
            .isEqualTo(ErrorCodes.INVALID_REPLICA_ASSIGNMENT);
        assertThat(createCode(new CreateTopics.NewTopic("man", 2, (short) -1, List.of(List.of(1, 2)), Map.of())))
            .isEqualTo(ErrorCodes.INVALID_REQUEST);
        assertThat(createCode(new CreateTopics.NewTopic("man", -1, (short) -1, List.of(List.of(3, 1)), Map.of())))
            .isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.partition("man", 0).leader()).isEqualTo(3);
        assertThat(createCode(CreateTopics.NewTopic.of("a.b", 1, 1))).isEqualTo(ErrorCodes.NONE);
        assertThat(createCode(CreateTopics.NewTopic.of("a_b", 1, 1))).isEqualTo(ErrorCodes.INVALID_TOPIC_EXCEPTION);
        CreateTopics.Result dup = h.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("d", 1, 1),
            CreateTopics.NewTopic.of("d", 1, 1)), false));
        assertThat(dup.topics()).extracting(CreateTopics.TopicOutcome::errorCode)
            .containsExactly(ErrorCodes.INVALID_REQUEST, ErrorCodes.INVALID_REQUEST);
    }

    @Test
    void validateOnlyReportsTheOutcomeWithoutCreating() {
        long offset = h.image.offset();
        CreateTopics.Result r = h.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("v", 4, 2)), true));
        assertThat(r.topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(r.topics().get(0).numPartitions()).isEqualTo(4);
        assertThat(r.topics().get(0).replicationFactor()).isEqualTo((short) 2);
        assertThat(h.image.topic("v")).isNull();
        assertThat(h.image.offset()).isEqualTo(offset + 1);
        assertThat(h.lastDelta.isEmpty()).isTrue();
    }

    @Test
    void automaticAssignmentSpreadsLeadersAndReplicas() {
        h.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("spread", 30, 3)), false));
        TopicImage t = h.image.topic("spread");
        Map<Integer, Integer> leaders = new HashMap<>();
        for (PartitionImage p : t.partitions()) {
            leaders.merge(p.leader(), 1, Integer::sum);
            assertThat(p.replicas()).doesNotHaveDuplicates().hasSize(3);
            assertThat(p.isr()).containsExactly(p.replicas());
            assertThat(p.leader()).isEqualTo(p.replicaAt(0));
        }
        assertThat(leaders).containsOnlyKeys(1, 2, 3).allSatisfy((b, n) -> assertThat(n).isEqualTo(10));
        assertThat(h.lastDelta.createdTopics()).containsExactly(t.topicId());
        assertThat(h.lastDelta.changedPartitions()).hasSize(30);
    }

    @Test
    void rackAwareAssignmentPutsReplicasInDistinctRacks() {
        Harness racks = new Harness();
        for (int id = 1; id <= 6; id++) {
            racks.liveBroker(id, "r" + (id % 3));
        }
        racks.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("r", 12, 3)), false));
        for (PartitionImage p : racks.image.topic("r").partitions()) {
            Set<String> seen = new HashSet<>();
            for (int b : p.replicas()) {
                seen.add(racks.image.broker(b).orElseThrow().rack().orElseThrow());
            }
            assertThat(seen).as("racks of %s", p).hasSize(3);
        }
    }

    @Test
    void alterPartitionIsGuardedByLeaderAndPartitionEpochs() {
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("t", -1, (short) -1,
            List.of(List.of(1, 2, 3)), Map.of())), false));
        TopicImage t = h.image.topic("t");
        PartitionImage p = t.partition(0);
        UUID id = t.topicId();
        AlterPartition.Result ok = h.apply(new AlterPartition(1, epochs.get(1), List.of(
            new AlterPartition.IsrChange(id, 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1, 2}))));
        assertThat(ok.partitions().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        PartitionImage after = h.image.partition("t", 0);
        assertThat(after.isr()).containsExactly(1, 2);
        assertThat(after.partitionEpoch()).isEqualTo(p.partitionEpoch() + 1);
        assertThat(after.leaderEpoch()).isEqualTo(p.leaderEpoch());
        assertThat(ok.partitions().get(0).partitionState()).isEqualTo(after);

        short stalePartitionEpoch = h.apply(new AlterPartition(1, epochs.get(1), List.of(
            new AlterPartition.IsrChange(id, 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1}))))
            .partitions().get(0).errorCode();
        assertThat(stalePartitionEpoch).isEqualTo(ErrorCodes.INVALID_UPDATE_VERSION);
        short staleLeaderEpoch = h.apply(new AlterPartition(1, epochs.get(1), List.of(
            new AlterPartition.IsrChange(id, 0, p.leaderEpoch() - 1, after.partitionEpoch(), new int[] {1}))))
            .partitions().get(0).errorCode();
        assertThat(staleLeaderEpoch).isEqualTo(ErrorCodes.FENCED_LEADER_EPOCH);
        short notLeader = h.apply(new AlterPartition(2, epochs.get(2), List.of(
            new AlterPartition.IsrChange(id, 0, after.leaderEpoch(), after.partitionEpoch(), new int[] {2}))))
            .partitions().get(0).errorCode();
        assertThat(notLeader).isEqualTo(ErrorCodes.NOT_LEADER_OR_FOLLOWER);
        assertThat(h.apply(new AlterPartition(1, epochs.get(1) + 5, List.of(
            new AlterPartition.IsrChange(id, 0, after.leaderEpoch(), after.partitionEpoch(), new int[] {1}))))
            .errorCode()).isEqualTo(ErrorCodes.STALE_BROKER_EPOCH);
        assertThat(h.apply(new AlterPartition(1, epochs.get(1), List.of(
            new AlterPartition.IsrChange(new UUID(9, 9), 0, 0, 0, new int[] {1})))).partitions().get(0).errorCode())
            .isEqualTo(ErrorCodes.UNKNOWN_TOPIC_ID);
        // Fence broker 3 (heartbeat asking to be fenced); it may not join the ISR.
        h.apply(new BrokerHeartbeat(3, epochs.get(3), h.image.offset(), true));
        assertThat(h.apply(new AlterPartition(1, epochs.get(1), List.of(
            new AlterPartition.IsrChange(id, 0, after.leaderEpoch(), after.partitionEpoch(), new int[] {1, 2, 3}))))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.INELIGIBLE_REPLICA);
        assertThat(h.image.partition("t", 0)).isEqualTo(after);
    }

    /** KIP-903: a member named at an earlier incarnation's broker epoch may not join the ISR. */
    @Test
    void alterPartitionRefusesAMemberWhoseBrokerEpochIsNotItsRegistrations() {
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("k", -1, (short) -1,
            List.of(List.of(1, 2, 3)), Map.of())), false));
        UUID id = h.image.topic("k").topicId();
        long oldEpoch = epochs.get(3);
        // Broker 3 restarts: its new registration fences it (it leaves the ISR), a heartbeat unfences it.
        long newEpoch = h.apply(new RegisterBroker(3, UUID.randomUUID(), List.of(), Optional.empty(), oldEpoch))
            .brokerEpoch();
        h.apply(new BrokerHeartbeat(3, newEpoch, h.image.offset(), false));
        PartitionImage p = h.image.partition("k", 0);
        assertThat(p.isr()).containsExactly(1, 2);
        assertThat(h.image.isUnfenced(3)).isTrue();

        AlterPartition.Result stale = h.apply(new AlterPartition(1, epochs.get(1), List.of(new AlterPartition.IsrChange(
            id, 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1, 2, 3}, new long[] {-1, epochs.get(2), oldEpoch}))));
        assertThat(stale.partitions().get(0).errorCode()).isEqualTo(ErrorCodes.INELIGIBLE_REPLICA);
        assertThat(stale.partitions().get(0).errorMessage()).contains("broker epoch " + oldEpoch);
        assertThat(h.image.partition("k", 0)).isEqualTo(p);
        // A member's epoch is checked too, not only the joining one's.
        assertThat(h.apply(new AlterPartition(1, epochs.get(1), List.of(new AlterPartition.IsrChange(
            id, 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1, 2, 3}, new long[] {-1, epochs.get(2) + 9, newEpoch}))))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.INELIGIBLE_REPLICA);

        AlterPartition.Result current = h.apply(new AlterPartition(1, epochs.get(1), List.of(new AlterPartition.IsrChange(
            id, 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1, 2, 3}, new long[] {-1, epochs.get(2), newEpoch}))));
        assertThat(current.partitions().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.partition("k", 0).isr()).containsExactly(1, 2, 3);
    }

    @Test
    void fencingMovesLeadershipToIsrWithHigherEpochAndLeavesNoLeaderWithoutLiveIsr() {
        h.apply(new CreateTopics(List.of(
            new CreateTopics.NewTopic("three", -1, (short) -1, List.of(List.of(1, 2, 3)), Map.of()),
            new CreateTopics.NewTopic("solo", -1, (short) -1, List.of(List.of(1)), Map.of()),
            new CreateTopics.NewTopic("unclean", -1, (short) -1, List.of(List.of(1, 2)),
                Map.of("unclean.leader.election.enable", "true"))), false));
        // ISR of "unclean" shrinks to [1] first.
        PartitionImage u = h.image.partition("unclean", 0);
        h.apply(new AlterPartition(1, epochs.get(1), List.of(new AlterPartition.IsrChange(
            h.image.topic("unclean").topicId(), 0, u.leaderEpoch(), u.partitionEpoch(), new int[] {1}))));
        PartitionImage three = h.image.partition("three", 0);

        // Brokers 2 and 3 keep heartbeating, broker 1 goes silent.
        h.advance(5000);
        h.apply(new BrokerHeartbeat(2, epochs.get(2), h.image.offset(), false));
        h.apply(new BrokerHeartbeat(3, epochs.get(3), h.image.offset(), false));
        h.advance(5000);
        FenceExpiredBrokers.Result r = h.apply(fenceTick());
        assertThat(r.fencedBrokers()).containsExactly(1);

        PartitionImage moved = h.image.partition("three", 0);
        assertThat(moved.leader()).isEqualTo(2);
        assertThat(moved.leaderEpoch()).isEqualTo(three.leaderEpoch() + 1);
        assertThat(moved.isr()).containsExactly(2, 3);
        PartitionImage solo = h.image.partition("solo", 0);
        assertThat(solo.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(solo.isr()).containsExactly(1);
        PartitionImage unclean = h.image.partition("unclean", 0);
        assertThat(unclean.leader()).isEqualTo(2);
        assertThat(unclean.isr()).containsExactly(2);
        assertThat(h.lastDelta.changedBrokers()).containsExactly(1);
        assertThat(h.lastDelta.changedPartitions()).extracting(c -> c.topicName())
            .containsExactlyInAnyOrder("three", "solo", "unclean");

        // Broker 1 restarts: new incarnation, fenced until caught up, then leads "solo" again.
        long epoch = h.apply(new RegisterBroker(1, UUID.randomUUID(), List.of(), Optional.empty())).brokerEpoch();
        assertThat(h.image.broker(1).orElseThrow().fenced()).isTrue();
        BrokerHeartbeat.Result behind = h.apply(new BrokerHeartbeat(1, epoch, epoch - 1, false));
        assertThat(behind.fenced()).isTrue();
        assertThat(behind.caughtUp()).isFalse();
        BrokerHeartbeat.Result caughtUp = h.apply(new BrokerHeartbeat(1, epoch, epoch, false));
        assertThat(caughtUp.fenced()).isFalse();
        assertThat(h.image.partition("solo", 0).leader()).isEqualTo(1);
        assertThat(h.image.partition("solo", 0).leaderEpoch()).isEqualTo(solo.leaderEpoch() + 1);
    }

    /** A quorum outage longer than the session must not fence every broker the moment a leader returns. */
    @Test
    void aNewLeadersFenceTickCountsSessionsFromWhenItTookOffice() {
        Harness single = new Harness();
        single.liveBroker(1, null);
        single.advance(Harness.SESSION_TIMEOUT_MS * 3L);
        long tookOffice = single.nowMs;
        single.advance(Harness.SESSION_TIMEOUT_MS - 1);
        assertThat(single.apply(new FenceExpiredBrokers(Harness.SESSION_TIMEOUT_MS, tookOffice)).fencedBrokers())
            .isEmpty();
        single.advance(2);
        assertThat(single.apply(new FenceExpiredBrokers(Harness.SESSION_TIMEOUT_MS, tookOffice)).fencedBrokers())
            .containsExactly(1);
    }

    /**
     * A partition offline because its last ISR member died, with a live stale replica: the stale
     * replica does not lead while unclean election is off, and leads as soon as it is turned on
     * (topic config, then the cluster default for another topic), not when some broker next
     * changes state.
     */
    @Test
    void turningUncleanElectionOnElectsAStaleReplicaOfAnOfflinePartition() {
        h.apply(new CreateTopics(List.of(
            new CreateTopics.NewTopic("t", -1, (short) -1, List.of(List.of(1, 2)), Map.of()),
            new CreateTopics.NewTopic("d", -1, (short) -1, List.of(List.of(1, 3)), Map.of()),
            new CreateTopics.NewTopic("healthy", -1, (short) -1, List.of(List.of(2, 3)), Map.of())), false));
        for (String topic : List.of("t", "d")) {
            PartitionImage p = h.image.partition(topic, 0);
            h.apply(new AlterPartition(1, epochs.get(1), List.of(new AlterPartition.IsrChange(
                h.image.topic(topic).topicId(), 0, p.leaderEpoch(), p.partitionEpoch(), new int[] {1}))));
        }
        h.apply(new BrokerHeartbeat(1, epochs.get(1), h.image.offset(), true));
        PartitionImage offline = h.image.partition("t", 0);
        assertThat(offline.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(offline.isr()).containsExactly(1);

        // Another config changing leaves it offline.
        h.apply(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "t",
            List.of(new AlterConfigs.Op("retention.ms", AlterConfigs.OpType.SET, "1000")))), true, false));
        assertThat(h.image.partition("t", 0).leader()).isEqualTo(PartitionImage.NO_LEADER);

        h.apply(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "t",
            List.of(new AlterConfigs.Op("unclean.leader.election.enable", AlterConfigs.OpType.SET, "true")))),
            true, false));
        PartitionImage elected = h.image.partition("t", 0);
        assertThat(elected.leader()).isEqualTo(2);
        assertThat(elected.isr()).containsExactly(2);
        assertThat(elected.leaderEpoch()).isEqualTo(offline.leaderEpoch() + 1);
        assertThat(h.image.partition("d", 0).leader()).as("d's own config is unset, the cluster default false")
            .isEqualTo(PartitionImage.NO_LEADER);

        PartitionImage healthy = h.image.partition("healthy", 0);
        h.apply(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.BROKER, "",
            List.of(new AlterConfigs.Op("unclean.leader.election.enable", AlterConfigs.OpType.SET, "true")))),
            true, false));
        assertThat(h.image.partition("d", 0).leader()).isEqualTo(3);
        assertThat(h.image.partition("healthy", 0)).as("a partition with a leader is left alone").isEqualTo(healthy);
    }

    /** Chaos-suite bug: a lone broker fenced by session expiry must lead its partitions again once unfenced. */
    @Test
    void unfencedBrokerRegainsLeadershipOfLeaderlessPartitionsWhoseIsrHoldsIt() {
        Harness single = new Harness();
        long epoch = single.liveBroker(1, null);
        single.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("lone", 2, 1)), false));
        PartitionImage before = single.image.partition("lone", 0);
        assertThat(before.leader()).isEqualTo(1);

        single.advance(Harness.SESSION_TIMEOUT_MS + 1);
        assertThat(single.apply(fenceTick()).fencedBrokers()).containsExactly(1);
        PartitionImage fenced = single.image.partition("lone", 0);
        assertThat(fenced.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(fenced.isr()).containsExactly(1);

        // Same process heartbeats again (slow, not restarted): it is unfenced and leads again.
        BrokerHeartbeat.Result hb = single.apply(new BrokerHeartbeat(1, epoch, single.image.offset(), false));
        assertThat(hb.fenced()).isFalse();
        for (int p = 0; p < 2; p++) {
            PartitionImage now = single.image.partition("lone", p);
            assertThat(now.leader()).as("partition %d", p).isEqualTo(1);
            assertThat(now.isr()).containsExactly(1);
            assertThat(now.leaderEpoch()).isGreaterThan(fenced.leaderEpoch());
        }
        assertThat(single.image.partition("lone", 0).partitionEpoch()).isEqualTo(fenced.partitionEpoch() + 1);
        assertThat(single.lastDelta.changedBrokers()).containsExactly(1);
        assertThat(single.lastDelta.changedPartitions()).hasSize(2)
            .allSatisfy(c -> assertThat(c.after().leader()).isEqualTo(1));

        // Fenced again, then restarted: a new incarnation registers and is unfenced once caught up.
        single.advance(Harness.SESSION_TIMEOUT_MS + 1);
        single.apply(fenceTick());
        PartitionImage fencedAgain = single.image.partition("lone", 0);
        assertThat(fencedAgain.leader()).isEqualTo(PartitionImage.NO_LEADER);
        long restarted = single.apply(new RegisterBroker(1, UUID.randomUUID(), List.of(), Optional.empty()))
            .brokerEpoch();
        assertThat(single.image.partition("lone", 0).leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(single.apply(new BrokerHeartbeat(1, restarted, restarted, false)).fenced()).isFalse();
        assertThat(single.image.partition("lone", 0).leader()).isEqualTo(1);
        assertThat(single.image.partition("lone", 0).leaderEpoch()).isEqualTo(fencedAgain.leaderEpoch() + 1);
        assertThat(single.lastDelta.changedPartitions()).hasSize(2);
    }

    /** Restart before the fence ran: the new incarnation's registration takes leadership away, its unfencing gives it back. */
    @Test
    void reRegistrationAfterAnExpiredSessionLeadsAgainOnceUnfenced() {
        Harness single = new Harness();
        single.liveBroker(1, null);
        single.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("lone", 1, 1)), false));
        single.advance(Harness.SESSION_TIMEOUT_MS + 1);
        long restarted = single.apply(new RegisterBroker(1, UUID.randomUUID(), List.of(), Optional.empty()))
            .brokerEpoch();
        PartitionImage lost = single.image.partition("lone", 0);
        assertThat(lost.leader()).isEqualTo(PartitionImage.NO_LEADER);
        assertThat(single.apply(new BrokerHeartbeat(1, restarted, restarted, false)).fenced()).isFalse();
        PartitionImage back = single.image.partition("lone", 0);
        assertThat(back.leader()).isEqualTo(1);
        assertThat(back.leaderEpoch()).isEqualTo(lost.leaderEpoch() + 1);
        assertThat(single.lastDelta.changedPartitions()).hasSize(1);
    }

    @Test
    void registrationWithANewIncarnationWaitsForTheOldSessionToExpire() {
        RegisterBroker.Result dup = h.apply(new RegisterBroker(2, UUID.randomUUID(), List.of(), Optional.empty()));
        assertThat(dup.errorCode()).isEqualTo(ErrorCodes.DUPLICATE_BROKER_REGISTRATION);
        h.advance(Harness.SESSION_TIMEOUT_MS + 1);
        RegisterBroker.Result ok = h.apply(new RegisterBroker(2, UUID.randomUUID(), List.of(), Optional.empty()));
        assertThat(ok.errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.apply(new BrokerHeartbeat(2, epochs.get(2), 0, false)).errorCode())
            .isEqualTo(ErrorCodes.STALE_BROKER_EPOCH);
        assertThat(h.apply(new BrokerHeartbeat(77, 1, 0, false)).errorCode())
            .isEqualTo(ErrorCodes.BROKER_ID_NOT_REGISTERED);
    }

    /** A restart that names the old registration's epoch (from its locked epoch file) replaces it at once. */
    @Test
    void registrationNamingThePreviousEpochReplacesALiveSession() {
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("led", -1, (short) -1,
            List.of(List.of(2, 1)), Map.of())), false));
        PartitionImage before = h.image.partition("led", 0);
        assertThat(before.leader()).isEqualTo(2);

        RegisterBroker.Result wrongEpoch = h.apply(new RegisterBroker(2, UUID.randomUUID(), List.of(), Optional.empty(),
            epochs.get(2) + 1));
        assertThat(wrongEpoch.errorCode()).isEqualTo(ErrorCodes.DUPLICATE_BROKER_REGISTRATION);

        RegisterBroker.Result successor = h.apply(new RegisterBroker(2, UUID.randomUUID(), List.of(), Optional.empty(),
            epochs.get(2)));
        assertThat(successor.errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.isUnfenced(2)).isFalse();
        PartitionImage moved = h.image.partition("led", 0);
        assertThat(moved.leader()).isEqualTo(1);
        assertThat(moved.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(h.apply(new BrokerHeartbeat(2, epochs.get(2), 0, false)).errorCode())
            .isEqualTo(ErrorCodes.STALE_BROKER_EPOCH);
        assertThat(h.apply(new BrokerHeartbeat(2, successor.brokerEpoch(), h.image.offset(), false)).fenced()).isFalse();
    }

    @Test
    void electLeadersPreferredAndUnclean() {
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("p", -1, (short) -1,
            List.of(List.of(1, 2)), Map.of())), false));
        ElectLeaders.PartitionRef ref = new ElectLeaders.PartitionRef("p", 0);
        assertThat(h.apply(new ElectLeaders(ElectLeaders.ElectionType.PREFERRED, false, List.of(ref)))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.ELECTION_NOT_NEEDED);
        h.apply(new BrokerHeartbeat(1, epochs.get(1), h.image.offset(), true));
        assertThat(h.image.partition("p", 0).leader()).isEqualTo(2);
        assertThat(h.apply(new ElectLeaders(ElectLeaders.ElectionType.PREFERRED, false, List.of(ref)))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.PREFERRED_LEADER_NOT_AVAILABLE);
        h.apply(new BrokerHeartbeat(1, epochs.get(1), h.image.offset(), false));
        PartitionImage p2 = h.image.partition("p", 0);
        // Broker 1 is unfenced but not in the ISR until the leader re-adds it.
        PartitionImage cur = h.image.partition("p", 0);
        h.apply(new AlterPartition(2, epochs.get(2), List.of(new AlterPartition.IsrChange(h.image.topic("p").topicId(),
            0, cur.leaderEpoch(), cur.partitionEpoch(), new int[] {2, 1}))));
        assertThat(h.apply(new ElectLeaders(ElectLeaders.ElectionType.PREFERRED, false, List.of(ref)))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.partition("p", 0).leader()).isEqualTo(1);
        assertThat(h.image.partition("p", 0).leaderEpoch()).isEqualTo(p2.leaderEpoch() + 1);
        assertThat(h.apply(new ElectLeaders(ElectLeaders.ElectionType.UNCLEAN, false,
            List.of(new ElectLeaders.PartitionRef("nope", 0)))).partitions().get(0).errorCode())
            .isEqualTo(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
    }

    /** Adds {@code broker} back to a partition's ISR, as its leader would once it caught up. */
    private void readmit(String topic, int partition, int broker) {
        PartitionImage p = h.image.partition(topic, partition);
        int[] isr = Arrays.copyOf(p.isr(), p.isrSize() + 1);
        isr[isr.length - 1] = broker;
        assertThat(h.apply(new AlterPartition(p.leader(), epochs.get(p.leader()), List.of(new AlterPartition.IsrChange(
            h.image.topic(topic).topicId(), partition, p.leaderEpoch(), p.partitionEpoch(), isr))))
            .partitions().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
    }

    /**
     * The automatic rebalance moves leadership back to the preferred replica of every partition led
     * elsewhere, but only where that replica is in the ISR and unfenced (Kafka 4.x's controller rule).
     */
    @Test
    void rebalanceMovesLeadersBackToPreferredReplicasInTheIsr() {
        List<List<Integer>> prefer1 = Collections.nCopies(10, List.of(1, 2));
        h.apply(new CreateTopics(List.of(new CreateTopics.NewTopic("a", -1, (short) -1, prefer1, Map.of()),
            new CreateTopics.NewTopic("c", -1, (short) -1, List.of(List.of(3, 1)), Map.of())), false));
        // Broker 3 is fenced and comes back, out of c's ISR; broker 1 likewise, and then leads nothing of a.
        h.apply(new BrokerHeartbeat(3, epochs.get(3), h.image.offset(), true));
        h.apply(new BrokerHeartbeat(3, epochs.get(3), h.image.offset(), false));
        h.apply(new BrokerHeartbeat(1, epochs.get(1), h.image.offset(), true));
        h.apply(new BrokerHeartbeat(1, epochs.get(1), h.image.offset(), false));
        assertThat(h.image.partition("c", 0).leader()).isEqualTo(1);
        List<ElectLeaders.PartitionRef> back = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertThat(h.image.partition("a", i).leader()).isEqualTo(2);
            readmit("a", i, 1);
            if (i > 0) {
                back.add(new ElectLeaders.PartitionRef("a", i));
            }
        }
        h.apply(new ElectLeaders(ElectLeaders.ElectionType.PREFERRED, false, back));
        // Broker 1 now leads 9 of its 10 preferred partitions; a-0 is still led by broker 2.
        PartitionImage a0 = h.image.partition("a", 0);
        assertThat(a0.leader()).isEqualTo(2);

        ElectLeaders.Result rebalanced = h.apply(ElectLeaders.automaticRebalance());
        assertThat(rebalanced.partitions()).containsExactly(new ElectLeaders.PartitionError("a", 0, ErrorCodes.NONE, null));
        assertThat(h.image.partition("a", 0).leader()).isEqualTo(1);
        assertThat(h.image.partition("a", 0).leaderEpoch()).isEqualTo(a0.leaderEpoch() + 1);
        // Broker 3 leads none of its one preferred partition (100%) but is not in its ISR: c stays.
        assertThat(h.image.partition("c", 0).leader()).isEqualTo(1);
        assertThat(h.apply(ElectLeaders.automaticRebalance()).partitions()).isEmpty();
    }

    @Test
    void configsAreValidatedAndStored() {
        h.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("c", 1, 1)), false));
        AlterConfigs.Result r = h.apply(new AlterConfigs(List.of(
            new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "c", List.of(
                new AlterConfigs.Op("retention.ms", AlterConfigs.OpType.SET, "1000"))),
            new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "c", List.of(
                new AlterConfigs.Op("bogus", AlterConfigs.OpType.SET, "1"))),
            new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "missing", List.of()),
            new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.BROKER, "", List.of(
                new AlterConfigs.Op("log.retention.ms", AlterConfigs.OpType.SET, "5000"))),
            new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.BROKER, "x", List.of())), true, false));
        assertThat(r.resources()).extracting(AlterConfigs.ResourceError::errorCode).containsExactly(
            ErrorCodes.NONE, ErrorCodes.INVALID_CONFIG, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, ErrorCodes.NONE,
            ErrorCodes.INVALID_REQUEST);
        assertThat(h.image.topic("c").configs()).containsExactly(Map.entry("retention.ms", "1000"));
        assertThat(h.image.brokerConfigs().get("")).containsExactly(Map.entry("log.retention.ms", "5000"));
        h.apply(new AlterConfigs(List.of(new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.TOPIC, "c",
            List.of(new AlterConfigs.Op("retention.ms", AlterConfigs.OpType.DELETE, null)))), true, false));
        assertThat(h.image.topic("c").configs()).isEmpty();
    }

    @Test
    void groupConfigsAreValidatedAndStoredForGroupsThatNeedNotExist() {
        AlterConfigs.Result r = h.apply(new AlterConfigs(List.of(
            groupChange("g", new AlterConfigs.Op("consumer.session.timeout.ms", AlterConfigs.OpType.SET, "50000"),
                new AlterConfigs.Op("share.auto.offset.reset", AlterConfigs.OpType.SET, "by_duration:PT1H")),
            groupChange("g", new AlterConfigs.Op("share.record.lock.duration.ms", AlterConfigs.OpType.SET, "999")),
            groupChange("g", new AlterConfigs.Op("share.auto.offset.reset", AlterConfigs.OpType.SET, "by_duration:1h")),
            groupChange("g", new AlterConfigs.Op("session.timeout.ms", AlterConfigs.OpType.SET, "50000")),
            groupChange("", new AlterConfigs.Op("consumer.session.timeout.ms", AlterConfigs.OpType.SET, "50000"))),
            true, false));
        assertThat(r.resources()).extracting(AlterConfigs.ResourceError::errorCode).containsExactly(
            ErrorCodes.NONE, ErrorCodes.INVALID_CONFIG, ErrorCodes.INVALID_CONFIG, ErrorCodes.INVALID_CONFIG,
            ErrorCodes.INVALID_REQUEST);
        assertThat(r.resources().get(3).errorMessage()).isEqualTo("Unknown group config name: session.timeout.ms");
        assertThat(h.image.groupConfigs()).isEqualTo(Map.of("g", Map.of("consumer.session.timeout.ms", "50000",
            "share.auto.offset.reset", "by_duration:PT1H")));

        h.apply(new AlterConfigs(List.of(groupChange("g",
            new AlterConfigs.Op("consumer.session.timeout.ms", AlterConfigs.OpType.DELETE, null),
            new AlterConfigs.Op("share.auto.offset.reset", AlterConfigs.OpType.DELETE, null))), true, false));
        assertThat(h.image.groupConfigs()).isEmpty();
    }

    private static AlterConfigs.ResourceChange groupChange(String group, AlterConfigs.Op... ops) {
        return new AlterConfigs.ResourceChange(AlterConfigs.ResourceType.GROUP, group, List.of(ops));
    }

    @Test
    void partitionsGrowAndTopicsDelete() {
        h.apply(new CreateTopics(List.of(CreateTopics.NewTopic.of("g", 2, 2)), false));
        UUID id = h.image.topic("g").topicId();
        assertThat(h.apply(new CreatePartitions(List.of(new CreatePartitions.Increase("g", 2, List.of())), false))
            .topics().get(0).errorCode()).isEqualTo(ErrorCodes.INVALID_PARTITIONS);
        assertThat(h.apply(new CreatePartitions(List.of(new CreatePartitions.Increase("g", 5, List.of())), false))
            .topics().get(0).errorCode()).isEqualTo(ErrorCodes.NONE);
        assertThat(h.image.topic("g").partitionCount()).isEqualTo(5);
        assertThat(h.image.topic("g").partition(4).replicaCount()).isEqualTo(2);
        assertThat(h.apply(new CreatePartitions(List.of(new CreatePartitions.Increase("nope", 5, List.of())), false))
            .topics().get(0).errorCode()).isEqualTo(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
        DeleteTopics.Result d = h.apply(new DeleteTopics(List.of("nope"), List.of(id)));
        assertThat(d.topics()).extracting(DeleteTopics.TopicOutcome::errorCode)
            .containsExactly(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, ErrorCodes.NONE);
        assertThat(h.image.topic("g")).isNull();
        assertThat(h.image.topic(id)).isNull();
        assertThat(h.lastDelta.deletedTopics()).extracting(TopicImage::name).containsExactly("g");
    }

    @Test
    void producerIdBlocksAreDisjointAndNeedAValidBrokerEpoch() {
        AllocateProducerIds.Result a = h.apply(new AllocateProducerIds(1, epochs.get(1)));
        AllocateProducerIds.Result b = h.apply(new AllocateProducerIds(2, epochs.get(2)));
        assertThat(a.firstProducerId()).isEqualTo(0);
        assertThat(b.firstProducerId()).isEqualTo(1000);
        assertThat(b.blockSize()).isEqualTo(1000);
        assertThat(h.apply(new AllocateProducerIds(1, 12345)).errorCode()).isEqualTo(ErrorCodes.STALE_BROKER_EPOCH);
        assertThat(h.apply(new AllocateProducerIds(9, 0)).errorCode()).isEqualTo(ErrorCodes.BROKER_ID_NOT_REGISTERED);
        assertThat(h.image.nextProducerId()).isEqualTo(2000);
    }

    /** A fencing tick without a leader's grace, as version 0 entries decode. */
    private static FenceExpiredBrokers fenceTick() {
        return new FenceExpiredBrokers(Harness.SESSION_TIMEOUT_MS, FenceExpiredBrokers.NO_LEADER_SINCE);
    }
}
