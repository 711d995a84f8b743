package io.sluice.server.group.consumer;

import io.sluice.server.group.runtime.CoordinatorTimer;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * The two deadlines of a KIP-848 member on the shard's timer: its session (a heartbeat within
 * the group's session timeout, restarted by each one) and, while it is asked to
 * revoke partitions, its rebalance timeout. What happens when one passes is the manager's (the
 * callbacks run on the coordinator thread). Owned by the coordinator thread; not thread-safe.
 */
final class MemberDeadlines {

    /** A revocation asked at {@code epoch} was not done in time. */
    @FunctionalInterface
    interface RevocationExpired {
        void expired(String groupId, String memberId, int epoch);
    }

    private final CoordinatorTimer timer;
    private final ToIntFunction<String> sessionTimeoutMs;
    private final BiConsumer<String, String> sessionExpired;
    private final RevocationExpired revocationExpired;

    MemberDeadlines(CoordinatorTimer timer, ToIntFunction<String> sessionTimeoutMs, BiConsumer<String, String> sessionExpired,
                    RevocationExpired revocationExpired) {
        this.timer = timer;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.sessionExpired = sessionExpired;
        this.revocationExpired = revocationExpired;
    }

    private static String sessionKey(String groupId, String memberId) {
        return "consumer-session:" + groupId + ":" + memberId;
    }

    private static String revocationKey(String groupId, String memberId) {
        return "consumer-rebalance:" + groupId + ":" + memberId;
    }

    /** (Re)starts the member's session. */
    void session(String groupId, String memberId) {
        session(groupId, memberId, sessionTimeoutMs.applyAsInt(groupId));
    }

    /** (Re)starts the session of a member with its own timeout (a classic-protocol member's, from its JoinGroup). */
    void session(String groupId, String memberId, int timeoutMs) {
        timer.schedule(sessionKey(groupId, memberId), timeoutMs, () -> sessionExpired.accept(groupId, memberId));
    }

    /** (Re)starts the session of a member: the group's timeout, or its own when it speaks the classic protocol. */
    void session(String groupId, ConsumerMember m) {
        session(groupId, m.memberId(), m.usesClassicProtocol() ? m.classic().sessionTimeoutMs()
                : sessionTimeoutMs.applyAsInt(groupId));
    }

    /**
     * A member asked to revoke partitions must do so within its rebalance timeout; a revocation asked
     * at a new epoch gets a new deadline, one that is still going keeps its own, none is left once
     * the member no longer has partitions to revoke.
     */
    void revocation(String groupId, ConsumerMember before, ConsumerMember after) {
        String key = revocationKey(groupId, after.memberId());
        if (after.state() != MemberState.UNREVOKED_PARTITIONS) {
            timer.cancel(key);
            return;
        }
        if (before.state() == MemberState.UNREVOKED_PARTITIONS && before.memberEpoch() == after.memberEpoch()
                && timer.isScheduled(key)) {
            return;
        }
        int epoch = after.memberEpoch();
        timer.schedule(key, after.rebalanceTimeoutMs(),
                () -> revocationExpired.expired(groupId, after.memberId(), epoch));
    }

    private static String joinKey(String groupId, String memberId) {
        return "consumer-classic-join:" + groupId + ":" + memberId;
    }

    /**
     * A classic-protocol member told to rejoin (REBALANCE_IN_PROGRESS) must do so within its rebalance
     * timeout, else it is fenced as at a session's end (Kafka's consumer group join timeout); a
     * deadline already running is kept.
     */
    void joinIfAbsent(String groupId, ConsumerMember m) {
        String key = joinKey(groupId, m.memberId());
        if (!timer.isScheduled(key)) {
            String memberId = m.memberId();
            timer.schedule(key, m.rebalanceTimeoutMs(), () -> sessionExpired.accept(groupId, memberId));
        }
    }

    void cancelJoin(String groupId, String memberId) {
        timer.cancel(joinKey(groupId, memberId));
    }

    void cancelRevocation(String groupId, String memberId) {
        timer.cancel(revocationKey(groupId, memberId));
    }

    void cancel(String groupId, String memberId) {
        timer.cancel(sessionKey(groupId, memberId));
        timer.cancel(joinKey(groupId, memberId));
        timer.cancel(revocationKey(groupId, memberId));
    }
}
