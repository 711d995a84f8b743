package io.sluice.server.group.consumer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a consumer group keeps of a member that speaks the classic protocol (JoinGroup, SyncGroup,
 * Heartbeat) rather than ConsumerGroupHeartbeat: its session timeout and the protocols it offered,
 * in its order of preference (Kafka's ClassicMemberMetadata, tag 0 of the member metadata record).
 * Immutable, thread-safe (the metadata arrays are never written after construction).
 */
public record ClassicMemberMetadata(int sessionTimeoutMs, List<Protocol> protocols) {

    /** One protocol offered in JoinGroup: the assignor's name and the ConsumerProtocol subscription bytes. */
    public record Protocol(String name, byte[] metadata) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Protocol p && p.name.equals(name) && Arrays.equals(p.metadata, metadata);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(metadata);
        }
    }

    public ClassicMemberMetadata {
        if (protocols.isEmpty()) {
            throw new IllegalStateException("a classic member offers at least one protocol");
        }
        protocols = List.copyOf(protocols);
    }

    public static ClassicMemberMetadata of(int sessionTimeoutMs, Map<String, byte[]> protocols) {
        List<Protocol> list = new ArrayList<>();
        protocols.forEach((n, m) -> list.add(new Protocol(n, m)));
        return new ClassicMemberMetadata(sessionTimeoutMs, list);
    }

    /** The protocols by name, in the member's order. */
    public LinkedHashMap<String, byte[]> byName() {
        LinkedHashMap<String, byte[]> m = new LinkedHashMap<>();
        protocols.forEach(p -> m.putIfAbsent(p.name(), p.metadata()));
        return m;
    }

    /** The member's first choice: its name goes in JoinGroup answers, its bytes tell the subscription. */
    public Protocol first() {
        return protocols.get(0);
    }
}
