package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.server.network.RawClient;
import io.sluice.server.protocol.ApiVersionsTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DescribeQuorum as Kafka's Admin#describeMetadataQuorum asks it, on a 3-process cluster: every
 * node names the same quorum leader; the leader reports every voter's progress; after the leader
 * is killed the others name a new leader in a later epoch. The chaos suite aims faults at the
 * quorum leader this way (its RoleLocator), as it does against Kafka.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(ClusterLogsOnFailure.class)
class DescribeQuorumClusterTest {
    private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final ClusterFixture fixture = new ClusterFixture();

    @Test
    void everyNodeNamesTheQuorumLeaderAndANewOneAfterItIsKilled() throws Exception {
        ClusterProcess cluster = fixture.start(3, Map.of());
        int[] leader = new int[1];
        long[] epoch = new long[1];
        await().ignoreExceptions().atMost(AGREEMENT_TIMEOUT).untilAsserted(() -> {
            Set<Integer> named = new HashSet<>();
            for (BrokerProcess n : cluster.nodes()) {
                QuorumInfo q = describe(n.bootstrap());
                named.add(q.leaderId());
                assertThat(q.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);
                assertThat(q.nodes()).containsOnlyKeys(1, 2, 3);
                epoch[0] = q.leaderEpoch();
            }
            assertThat(named).as("leaders named by the three nodes").hasSize(1);
            leader[0] = named.iterator().next();
        });
        assertThat(leader[0]).isBetween(1, 3);
        assertThat(epoch[0]).isPositive();

        // A newly elected leader learns each follower's log end from its first append reply: awaited.
        await().ignoreExceptions().atMost(AGREEMENT_TIMEOUT).untilAsserted(() -> {
            QuorumInfo fromLeader = describe(cluster.node(leader[0]).bootstrap());
            assertThat(fromLeader.highWatermark()).isPositive();
            assertThat(fromLeader.voters()).as("the leader knows every voter's log end")
                    .allSatisfy(v -> assertThat(v.logEndOffset()).isPositive());
        });

        assertThat(describeRaw(cluster.node(leader[0]).clientPort(), "other-topic"))
                .as("any partition but the metadata log's, as Kafka's Raft client answers")
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());

        cluster.node(leader[0]).kill9();
        BrokerProcess survivor = cluster.nodes().stream().filter(n -> n.nodeId() != leader[0]).findFirst().orElseThrow();
        await().ignoreExceptions().atMost(AGREEMENT_TIMEOUT).untilAsserted(() -> {
            QuorumInfo q = describe(survivor.bootstrap());
            assertThat(q.leaderId()).isNotEqualTo(leader[0]);
            assertThat(q.leaderEpoch()).isGreaterThan(epoch[0]);
        });
    }

    private static short describeRaw(int port, String topic) throws Exception {
        try (RawClient c = new RawClient(new InetSocketAddress("localhost", port))) {
            DescribeQuorumRequestData req = new DescribeQuorumRequestData();
            req.topics().add(new DescribeQuorumRequestData.TopicData().setTopicName(topic)
                    .setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0))));
            c.send(ApiVersionsTable.DESCRIBE_QUORUM, (short) 2, 1, req);
            DescribeQuorumResponseData resp = c.read(ApiVersionsTable.DESCRIBE_QUORUM, (short) 2,
                    DescribeQuorumResponseData.class);
            return resp.topics().get(0).partitions().get(0).errorCode();
        }
    }

    private static QuorumInfo describe(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS);
        }
    }
}
