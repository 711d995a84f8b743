package io.sluice.server.group.consumer;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's checks of a ConsumerGroupHeartbeat's fields before the group is touched
 * (throwIfConsumerGroupHeartbeatRequestIsInvalid): bad fields are INVALID_REQUEST, an assignor
 * not in {@code group.consumer.assignors} UNSUPPORTED_ASSIGNOR, a regex RE2/J cannot compile
 * INVALID_REGULAR_EXPRESSION. Stateless, thread-safe.
 */
final class HeartbeatValidation {

    /** A refused request: its error and message. */
    record Refusal(Errors error, String message) { }

    /** Longest regex accepted (a bound on what each heartbeat compiles and matches). */
    static final int REGEX_CHARS_MAX = 1024;

    private HeartbeatValidation() { }

    /** @return null when the request is valid */
    static Refusal check(ConsumerGroupHeartbeatRequestData r, short version, List<String> assignors) {
        if (r.groupId() == null || r.groupId().isEmpty()) {
            return invalid("GroupId can't be empty.");
        }
        if (r.instanceId() != null && r.instanceId().isEmpty()) {
            return invalid("InstanceId can't be empty.");
        }
        if (r.rackId() != null && r.rackId().isEmpty()) {
            return invalid("RackId can't be empty.");
        }
        boolean memberIdEmpty = r.memberId() == null || r.memberId().isEmpty();
        if (version >= 1 && memberIdEmpty) {
            return invalid("MemberId can't be empty.");
        }
        int epoch = r.memberEpoch();
        if (epoch > 0 || epoch == ConsumerMember.LEAVE_EPOCH) {
            if (memberIdEmpty) {
                return invalid("MemberId can't be empty.");
            }
        } else if (epoch == 0) {
            if (r.rebalanceTimeoutMs() == -1) {
                return invalid("RebalanceTimeoutMs must be provided in first request.");
            }
            if (r.topicPartitions() == null || !r.topicPartitions().isEmpty()) {
                return invalid("TopicPartitions must be empty when (re-)joining.");
            }
            boolean noTopics = r.subscribedTopicNames() == null || r.subscribedTopicNames().isEmpty();
            boolean noRegex = r.subscribedTopicRegex() == null || r.subscribedTopicRegex().isEmpty();
            if (noTopics && noRegex) {
                return invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        } else if (epoch == ConsumerMember.LEAVE_STATIC_EPOCH) {
            if (memberIdEmpty) {
                return invalid("MemberId can't be empty.");
            }
            if (r.instanceId() == null) {
                return invalid("InstanceId can't be null.");
            }
        } else {
            return invalid("MemberEpoch is invalid.");
        }
        if (r.rebalanceTimeoutMs() < -1) {
            return invalid("RebalanceTimeoutMs is invalid.");
        }
        if (r.serverAssignor() != null && !assignors.contains(r.serverAssignor())) {
            return new Refusal(Errors.UNSUPPORTED_ASSIGNOR, "ServerAssignor " + r.serverAssignor()
                    + " is not supported. Supported assignors: " + String.join(", ", assignors) + ".");
        }
        String regex = r.subscribedTopicRegex();
        if (regex != null && !regex.isEmpty()) {
            if (regex.length() > REGEX_CHARS_MAX) {
                return new Refusal(Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex is longer than " + REGEX_CHARS_MAX + " characters.");
            }
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                return new Refusal(Errors.INVALID_REGULAR_EXPRESSION,
                        "SubscribedTopicRegex `" + regex + "` is not a valid regular expression: " + e.getMessage() + ".");
            }
        }
        return null;
    }

    private static Refusal invalid(String message) {
        return new Refusal(Errors.INVALID_REQUEST, message);
    }
}
