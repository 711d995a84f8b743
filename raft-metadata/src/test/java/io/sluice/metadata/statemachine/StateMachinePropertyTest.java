package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.CommandCodec;
import io.sluice.metadata.codec.ResultCodec;
import io.sluice.metadata.codec.SnapshotCodec;
import io.sluice.metadata.command.CommandResult;
import io.sluice.metadata.command.MetadataCommand;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random command sequences applied to the real applier and to {@link MetadataModel}; after every
 * step the two must agree and the image invariants must hold; at random points the image goes
 * through a snapshot and back; at the end a replay from scratch and from a mid-way snapshot must
 * give the same image. Run with {@code -Dseed=N} to replay a failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StateMachinePropertyTest {
    private static final long SEED = Long.getLong("seed", System.nanoTime());
    private static final int SESSION_TIMEOUT_MS = 9000;

    @Test
    void randomCommandSequencesAgreeWithTheModelAndKeepInvariants() {
        SplittableRandom seeds = new SplittableRandom(SEED);
        int runs = Integer.getInteger("runs", 150);
        for (int run = 0; run < runs; run++) {
            long seed = seeds.nextLong();
            try {
                runOnce(seed, 300);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed; replay with -Dseed=" + SEED + " (run " + run
                    + ", inner seed " + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private void runOnce(long seed, int steps) {
        SplittableRandom random = new SplittableRandom(seed);
        CommandGen gen = new CommandGen(random);
        MetadataModel model = new MetadataModel();
        Map<Integer, UUID> incarnations = new HashMap<>();
        MetadataImage image = MetadataImage.empty("cluster-" + seed);
        List<byte[]> entries = new ArrayList<>();
        Map<String, int[]> epochs = new HashMap<>();
        long now = 1_000_000;
        MetadataImage midSnapshot = null;
        int midIndex = -1;
        for (int i = 1; i <= steps; i++) {
            now += random.nextInt(4000);
            long offset = i;
            byte[] entry;
            MetadataCommand<?> command = null;
            if (random.nextInt(40) == 0) {
                byte[] garbage = new byte[random.nextInt(30)];
                random.nextBytes(garbage);
                entry = EntryDescriptor.wrap(now, random.nextLong(), SESSION_TIMEOUT_MS, garbage);
            } else {
                command = gen.next(image, incarnations);
                entry = EntryDescriptor.wrap(now, random.nextLong(), SESSION_TIMEOUT_MS, CommandCodec.encode(command));
            }
            entries.add(entry);
            MetadataApplier.Applied a = MetadataApplier.applyEntry(image, offset, 1, entry);
            if (a.command() == null) {
                // Malformed input: content must not change.
                assertThat(a.image().sameContent(image) || command != null).isTrue();
                assertThat(a.image().topicsByName()).isEqualTo(image.topicsByName());
                assertThat(a.image().brokers()).isEqualTo(image.brokers());
            } else {
                assertThat(a.command()).isEqualTo(command);
                CommandResult decoded = decode(command, a.result());
                assertThat(ResultCodec.encode(command.type(), decoded)).isEqualTo(a.result());
                model.apply(command, offset, Math.max(now, image.leaderTimeMs()), SESSION_TIMEOUT_MS, decoded);
            }
            image = a.image();
            assertThat(image.offset()).isEqualTo(offset);
            checkAgainstModel(image, model);
            checkInvariants(image, epochs);
            if (random.nextInt(25) == 0) {
                MetadataImage back = SnapshotCodec.decode(SnapshotCodec.encode(image));
                assertThat(back).isEqualTo(image);
                assertThat(SnapshotCodec.encode(back)).isEqualTo(SnapshotCodec.encode(image));
                if (midSnapshot == null) {
                    midSnapshot = back;
                    midIndex = i;
                }
            }
        }
        MetadataImage replay = MetadataImage.empty(image.clusterId());
        for (int i = 0; i < entries.size(); i++) {
            replay = MetadataApplier.applyEntry(replay, i + 1, 1, entries.get(i)).image();
        }
        assertThat(replay).as("replay from scratch").isEqualTo(image);
        if (midSnapshot != null) {
            MetadataImage fromSnap = midSnapshot;
            for (int i = midIndex; i < entries.size(); i++) {
                fromSnap = MetadataApplier.applyEntry(fromSnap, i + 1, 1, entries.get(i)).image();
            }
            assertThat(fromSnap).as("replay from snapshot at %d", midIndex).isEqualTo(image);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static CommandResult decode(MetadataCommand<?> command, byte[] bytes) {
        return ResultCodec.decode((MetadataCommand) command, bytes);
    }

    private static void checkAgainstModel(MetadataImage image, MetadataModel model) {
        Map<String, Integer> counts = new HashMap<>();
        image.topics().forEach(t -> counts.put(t.name(), t.partitionCount()));
        assertThat(counts).as("topics and partition counts").isEqualTo(model.partitions);
        model.ids.forEach((name, id) -> assertThat(image.topic(name).topicId()).isEqualTo(id));
        assertThat(image.brokers().keySet()).as("registered brokers").isEqualTo(model.brokers.keySet());
        model.brokers.forEach((id, b) -> {
            BrokerRegistration r = image.brokers().get(id);
            assertThat(r.fenced()).as("broker %d fenced", id).isEqualTo(b.fenced());
            assertThat(r.brokerEpoch()).as("broker %d epoch", id).isEqualTo(b.epoch());
            assertThat(r.incarnationId()).isEqualTo(b.incarnation());
        });
        assertThat(image.nextProducerId()).isEqualTo(model.nextProducerId);
    }

    /** The topic's unclean.leader.election.enable, else the cluster default's, else false. */
    private static boolean uncleanEnabled(MetadataImage image, TopicImage t) {
        String v = t.configs().get(LeaderElection.UNCLEAN_CONFIG);
        if (v == null) {
            v = image.brokerConfigs().getOrDefault("", Map.of()).get(LeaderElection.UNCLEAN_CONFIG);
        }
        return Boolean.parseBoolean(v);
    }

    private static void checkInvariants(MetadataImage image, Map<String, int[]> epochs) {
        assertThat(image.topicsById().size()).isEqualTo(image.topicsByName().size());
        for (TopicImage t : image.topics()) {
            assertThat(image.topic(t.topicId())).isSameAs(t);
            for (PartitionImage p : t.partitions()) {
                int[] replicas = p.replicas();
                int[] isr = p.isr();
                String where = t.name() + "-" + p.partitionId() + " " + p;
                assertThat(replicas).as(where).isNotEmpty().doesNotHaveDuplicates();
                assertThat(isr).as(where).isNotEmpty().doesNotHaveDuplicates();
                assertThat(replicas).as("ISR within replicas " + where).contains(isr);
                if (p.hasLeader()) {
                    assertThat(isr).as("leader in ISR " + where).contains(p.leader());
                    assertThat(image.isUnfenced(p.leader())).as("leader unfenced " + where).isTrue();
                } else {
                    for (int r : isr) {
                        assertThat(image.isUnfenced(r)).as("leaderless with live ISR member " + where).isFalse();
                    }
                    if (uncleanEnabled(image, t)) {
                        for (int r : replicas) {
                            assertThat(image.isUnfenced(r)).as("leaderless with unclean election on and live replica "
                                + where).isFalse();
                        }
                    }
                }
                if (isr.length > 1) {
                    for (int r : isr) {
                        assertThat(image.isUnfenced(r)).as("fenced broker in multi-member ISR " + where).isTrue();
                    }
                }
                String key = t.topicId() + "-" + p.partitionId();
                int[] prev = epochs.get(key);
                if (prev != null) {
                    assertThat(p.leaderEpoch()).as("leader epoch monotonic " + where).isGreaterThanOrEqualTo(prev[0]);
                    assertThat(p.partitionEpoch()).as("partition epoch monotonic " + where).isGreaterThanOrEqualTo(prev[1]);
                    if (prev[2] != p.leader()) {
                        assertThat(p.leaderEpoch()).as("leader change bumps epoch " + where).isGreaterThan(prev[0]);
                    }
                    if (prev[3] != Arrays.hashCode(isr) || prev[2] != p.leader()) {
                        assertThat(p.partitionEpoch()).as("change bumps partition epoch " + where).isGreaterThan(prev[1]);
                    }
                }
                epochs.put(key, new int[] {p.leaderEpoch(), p.partitionEpoch(), p.leader(), Arrays.hashCode(isr)});
            }
        }
    }
}
