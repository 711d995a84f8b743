package io.sluice.chaos.proxy;

import org.apache.kafka.common.Uuid;

/**
 * One partition of a Produce response with error NONE, as a node's proxy delivered it to a client.
 * Produce v13+ names topics by id only ({@code topic} is then empty). Immutable.
 */
public record ProduceAck(String topic, Uuid topicId, int partition, long baseOffset) { }
