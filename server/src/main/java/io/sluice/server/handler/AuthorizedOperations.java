package io.sluice.server.handler;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * The authorized-operations bit fields of Metadata, DescribeCluster and DescribeTopicPartitions.
 * Sluice has no authorizer, and a Kafka broker without one answers every operation its resource
 * type supports (Kafka's AuthHelper.authorizedOperations with AclEntry.supportedOperations): 8 for
 * a topic, 7 for the cluster. The values match Kafka 4.4's answers, measured (3576 and 8096).
 * Not asked for, the fields keep their default (Integer.MIN_VALUE), as in Kafka. Used by the
 * handlers of this package; immutable and thread-safe.
 */
final class AuthorizedOperations {

    static final int TOPIC = bits(EnumSet.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS));

    static final int CLUSTER = bits(EnumSet.of(AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE));

    private AuthorizedOperations() { }

    private static int bits(Set<AclOperation> ops) {
        Set<Byte> codes = new HashSet<>();
        ops.forEach(op -> codes.add(op.code()));
        return Utils.to32BitField(codes);
    }
}
