package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** librdkafka through kcat: metadata, produce and consume against a broker process. */
@Tag("slow")
@Timeout(120)
class KcatTest {

    private static BrokerProcess broker;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Tools.kcatAvailable(), "kcat is not installed (Debian package kcat; .ci/run installs it): skipping");
        broker = BrokerProcess.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static String kcat(String stdin, String... args) throws Exception {
        Tools.Result r = Tools.kcat(broker.bootstrap(), stdin, args);
        assertThat(r.exitCode()).as("kcat %s exited: %s", List.of(args), r.output()).isZero();
        return r.output();
    }

    @Test
    void metadataProduceAndConsume() throws Exception {
        String produced = "one\ntwo\nthree\n";
        kcat(produced, "-P", "-t", "kcat-topic", "-K:", "-z", "snappy");
        String metadata = kcat(null, "-L");
        assertThat(metadata).contains("1 brokers:").contains("broker 1 at " + broker.bootstrap())
                .contains("topic \"kcat-topic\" with 1 partitions");
        String consumed = kcat(null, "-C", "-t", "kcat-topic", "-o", "beginning", "-e", "-f", "%o:%s\\n");
        assertThat(consumed).contains("0:one").contains("1:two").contains("2:three");
        String keyed = "k1:v1\nk2:v2\n";
        kcat(keyed, "-P", "-t", "kcat-keys", "-K:", "-X", "enable.idempotence=true");
        String consumedKeys = kcat(null, "-C", "-t", "kcat-keys", "-o", "beginning", "-e", "-f", "%k=%s\\n");
        assertThat(consumedKeys).contains("k1=v1").contains("k2=v2");
    }
}
