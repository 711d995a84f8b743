package io.sluice.server.group.share;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * One member of a share group: who it is, what it subscribes to, and the partitions it was given
 * at its member epoch. Mutable; owned by the coordinator thread through its {@link ShareGroup}.
 */
final class ShareMember {

    final String memberId;
    String clientId;
    String clientHost;
    String rackId;
    List<String> subscribedTopics = List.of();
    int memberEpoch;
    /** Topic id to partition indexes, as last sent to the member. */
    Map<Uuid, Set<Integer>> assignment = Map.of();

    ShareMember(String memberId) {
        this.memberId = memberId;
    }
}
