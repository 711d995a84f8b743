package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.network.RawClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idempotent producer's guarantees, with hand-built retries against a broker process: a
 * retried batch is acknowledged with its original offsets and stored once, a gap is refused, an
 * old epoch is fenced, and all of it survives a restart.
 */
@Tag("slow")
@Timeout(180)
class IdempotentProducerTest {

    @Test
    void retriedBatchIsStoredOnceAndStateSurvivesRestart() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start()) {
            try (Admin admin = Clients.admin(broker.bootstrap())) {
                admin.createTopics(List.of(new NewTopic("idem", 1, (short) 1))).all().get();
            }
            InetSocketAddress addr = new InetSocketAddress("localhost", broker.clientPort());
            ByteBuffer first;
            ByteBuffer second;
            long pid;
            try (RawClient c = new RawClient(addr)) {
                InitProducerIdResponseData init = Raw.initProducerId(c);
                assertThat(init.errorCode()).isZero();
                pid = init.producerId();
                assertThat(pid).isGreaterThanOrEqualTo(0);
                assertThat(Raw.initProducerId(c).producerId()).as("ids are unique").isNotEqualTo(pid);

                first = Raw.batch(pid, (short) 0, 0, 5, "a").buffer();
                second = Raw.batch(pid, (short) 0, 5, 5, "b").buffer();
                PartitionProduceResponse r1 = Raw.produce(c, "idem", 0, first);
                assertThat(r1.errorCode()).isZero();
                assertThat(r1.baseOffset()).isZero();
                assertThat(Raw.produce(c, "idem", 0, second).baseOffset()).isEqualTo(5);

                PartitionProduceResponse retry = Raw.produce(c, "idem", 0, first);
                assertThat(retry.errorCode()).isZero();
                assertThat(retry.baseOffset()).as("original offset").isZero();
                assertThat(Raw.latestOffset(c, "idem", 0)).as("stored once").isEqualTo(10);

                PartitionProduceResponse gap = Raw.produce(c, "idem", 0, Raw.batch(pid, (short) 0, 20, 1, "g").buffer());
                assertThat(gap.errorCode()).isEqualTo((short) 45);

                PartitionProduceResponse newEpochBadSeq = Raw.produce(c, "idem", 0, Raw.batch(pid, (short) 1, 3, 1, "e").buffer());
                assertThat(newEpochBadSeq.errorCode()).isEqualTo((short) 45);
                assertThat(Raw.latestOffset(c, "idem", 0)).isEqualTo(10);
            }

            broker.restart();

            try (RawClient c = new RawClient(addr)) {
                PartitionProduceResponse retry = Raw.produce(c, "idem", 0, second);
                assertThat(retry.errorCode()).isZero();
                assertThat(retry.baseOffset()).as("deduplicated after restart").isEqualTo(5);
                assertThat(Raw.latestOffset(c, "idem", 0)).isEqualTo(10);
                assertThat(Raw.produce(c, "idem", 0, Raw.batch(pid, (short) 0, 10, 2, "c").buffer()).baseOffset())
                        .as("sequence continues").isEqualTo(10);
                assertThat(Raw.produce(c, "idem", 0, Raw.batch(pid, (short) 1, 0, 1, "n").buffer()).errorCode())
                        .as("new epoch starts at 0").isZero();
                assertThat(Raw.produce(c, "idem", 0, Raw.batch(pid, (short) 0, 12, 1, "old").buffer()).errorCode())
                        .as("old epoch fenced").isEqualTo((short) 47);
                assertThat(Raw.latestOffset(c, "idem", 0)).isEqualTo(13);
            }
            assertThat(Clients.readAll(broker.bootstrap(), List.of(new TopicPartition("idem", 0)),
                    13, Duration.ofSeconds(30))).hasSize(13);
        }
    }

}
