package io.sluice.server.group.classic;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group: identity, timeouts, the protocols it supports (name to
 * subscription metadata, in its order of preference), its assignment, and the JoinGroup or
 * SyncGroup response it is parked on. Owned by its {@link ClassicGroup}; not thread-safe.
 */
public final class ClassicMember {

    static final byte[] EMPTY = new byte[0];

    private String memberId;
    private final String groupInstanceId;
    private String clientId;
    private String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private final String protocolType;
    private LinkedHashMap<String, byte[]> protocols;
    private byte[] assignment = EMPTY;
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** Joined for the first time and not yet through a completed join (new-member join timeout). */
    boolean isNew;

    public ClassicMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                         int rebalanceTimeoutMs, int sessionTimeoutMs, String protocolType,
                         LinkedHashMap<String, byte[]> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = protocols;
    }

    public String memberId() {
        return memberId;
    }

    void memberId(String id) {
        this.memberId = id;
    }

    public String groupInstanceId() {
        return groupInstanceId;
    }

    public boolean isStatic() {
        return groupInstanceId != null;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public String protocolType() {
        return protocolType;
    }

    public Map<String, byte[]> protocols() {
        return protocols;
    }

    public byte[] metadata(String protocol) {
        byte[] m = protocols.get(protocol);
        return m == null ? EMPTY : m;
    }

    public byte[] assignment() {
        return assignment;
    }

    void assignment(byte[] a) {
        this.assignment = a == null ? EMPTY : a;
    }

    /** A rejoin's new settings (Kafka's updateMember). */
    void update(String clientId, String clientHost, int rebalanceTimeoutMs, int sessionTimeoutMs,
                LinkedHashMap<String, byte[]> protocols) {
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = protocols;
    }

    public boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    public boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    /** Same protocols with the same metadata, in the same order. */
    boolean matches(LinkedHashMap<String, byte[]> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        var a = protocols.entrySet().iterator();
        var b = other.entrySet().iterator();
        while (a.hasNext()) {
            var x = a.next();
            var y = b.next();
            if (!x.getKey().equals(y.getKey()) || !Arrays.equals(x.getValue(), y.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Member{" + memberId + (groupInstanceId == null ? "" : " instance=" + groupInstanceId) + "}";
    }
}
