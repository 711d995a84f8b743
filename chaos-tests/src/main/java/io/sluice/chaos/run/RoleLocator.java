package io.sluice.chaos.run;

import io.sluice.chaos.schedule.FaultEvent;
import io.sluice.chaos.schedule.FaultTarget;
import io.sluice.chaos.target.BrokerNode;
import io.sluice.chaos.target.Cluster;
import io.sluice.chaos.target.ServingProbe;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Finds which node holds a role when a fault aimed at it starts: the leader (or a follower) of a
 * workload partition from Metadata, the quorum leader from DescribeQuorum, the coordinator of the
 * workload's consumer group from FindCoordinator. Asks through the
 * nodes' proxies like any client. Stateless apart from the cluster; used by the nemesis's thread.
 */
final class RoleLocator {
    private static final long ANSWER_TIMEOUT_MS = 5_000;

    private final Cluster cluster;
    private final String roleTopic;
    private final String roleGroup;

    /**
     * @param roleTopic the workload topic whose partition 0 the partition roles refer to
     * @param roleGroup the workload's consumer group whose coordinator {@link FaultTarget#GROUP_COORDINATOR} names
     */
    RoleLocator(Cluster cluster, String roleTopic, String roleGroup) {
        this.cluster = cluster;
        this.roleTopic = roleTopic;
        this.roleGroup = roleGroup;
    }

    /** The node index the fault hits, and how it was chosen (for the history). */
    record Aim(int index, String why) { }

    Aim aim(FaultEvent f) {
        if (f.target() == FaultTarget.NODE || cluster.size() == 1) {
            return new Aim(f.node(), "n" + (f.node() + 1));
        }
        try {
            Optional<Integer> nodeId = switch (f.target()) {
                case PARTITION_LEADER -> partitionLeader(cluster.bootstrap());
                case FOLLOWER -> follower();
                case QUORUM_LEADER -> quorumLeader();
                case GROUP_COORDINATOR -> groupCoordinator();
                default -> Optional.empty();
            };
            Optional<BrokerNode> node = nodeId.flatMap(cluster::byNodeId);
            if (node.isPresent()) {
                return new Aim(cluster.nodes().indexOf(node.get()), f.target().cliName() + "=" + node.get().name());
            }
            return new Aim(f.node(), f.target().cliName() + " unknown (no holder named), n" + (f.node() + 1));
        } catch (Exception e) {
            return new Aim(f.node(), f.target().cliName() + " unknown (" + e.getMessage() + "), n" + (f.node() + 1));
        }
    }

    /** The node.id leading {@code roleTopic}-0, as the nodes behind {@code bootstrap} say. */
    Optional<Integer> partitionLeader(String bootstrap) throws Exception {
        return partition(bootstrap).map(TopicPartitionInfo::leader).map(Node::id);
    }

    private Optional<TopicPartitionInfo> partition(String bootstrap) throws Exception {
        try (Admin admin = ServingProbe.admin(bootstrap)) {
            TopicDescription d = admin.describeTopics(List.of(roleTopic)).allTopicNames()
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(roleTopic);
            return d.partitions().stream().filter(p -> p.partition() == 0 && p.leader() != null).findFirst();
        }
    }

    private Optional<Integer> follower() throws Exception {
        Optional<TopicPartitionInfo> p = partition(cluster.bootstrap());
        return p.flatMap(info -> info.replicas().stream().map(Node::id).filter(id -> id != info.leader().id())
                .findFirst());
    }

    /**
     * The coordinator FindCoordinator names for the workload's group (the admin client asks it
     * before describing the group). A group nobody joined yet has one too: the leader of its
     * {@code __consumer_offsets} partition, which is where its commits would go.
     */
    Optional<Integer> groupCoordinator() throws Exception {
        try (Admin admin = ServingProbe.admin(cluster.bootstrap())) {
            Node coordinator = admin.describeConsumerGroups(List.of(roleGroup)).describedGroups().get(roleGroup)
                    .get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS).coordinator();
            return coordinator == null || coordinator.id() < 0 ? Optional.empty() : Optional.of(coordinator.id());
        }
    }

    Optional<Integer> quorumLeader() throws Exception {
        try (Admin admin = ServingProbe.admin(cluster.bootstrap())) {
            int leader = admin.describeMetadataQuorum().quorumInfo().get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .leaderId();
            return leader >= 0 ? Optional.of(leader) : Optional.empty();
        }
    }
}
