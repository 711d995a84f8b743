package io.sluice.metadata.node;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The Ratis group of a voter list: its id is a name-based UUID of the canonical voter list, so
 * every node derives the same group (and cluster id) from {@code controller.quorum.voters} alone.
 * Stateless.
 */
public final class QuorumGroup {
    private QuorumGroup() {
    }

    public static RaftGroupId groupId(List<QuorumVoter> voters) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("sluice-metadata/" + QuorumVoter.format(voters))
            .getBytes(StandardCharsets.UTF_8)));
    }

    public static RaftGroup group(List<QuorumVoter> voters) {
        return RaftGroup.valueOf(groupId(voters), voters.stream()
            .map(v -> RaftPeer.newBuilder().setId(String.valueOf(v.id())).setAddress(v.host() + ":" + v.port()).build())
            .toList());
    }

    /** Kafka-style cluster id: the group UUID as 22 characters of URL-safe base64. */
    public static String clusterId(List<QuorumVoter> voters) {
        UUID u = groupId(voters).getUuid();
        ByteBuffer b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}
