package io.sluice.metadata.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;

import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real sockets on loopback: a closed port is a dead broker, a listening one (even if never served) is not. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadBrokerProbeTest {

    private static BrokerRegistration broker(int id, int port, boolean fenced) {
        return new BrokerRegistration(id, UUID.randomUUID(), 10, List.of(new Endpoint("PLAINTEXT", "localhost", port,
            (short) 0)), Optional.empty(), fenced, 0);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aClosedListenerIsDeadOnTheSecondRefusalInARow() throws Exception {
        DeadBrokerProbe probe = new DeadBrokerProbe();
        List<BrokerRegistration> brokers = List.of(broker(2, closedPort(), false));
        assertThat(probe.deadBrokers(brokers, 1)).as("one refusal may be a restart").isEmpty();
        assertThat(probe.deadBrokers(brokers, 1)).extracting(BrokerRegistration::brokerId).containsExactly(2);
    }

    @Test
    void aListeningBrokerThatNeverAnswersIsNotDead() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts in the kernel, like a SIGSTOPped process
            DeadBrokerProbe probe = new DeadBrokerProbe();
            List<BrokerRegistration> brokers = List.of(broker(2, silent.getLocalPort(), false));
            for (int i = 0; i < 3; i++) {
                assertThat(probe.deadBrokers(brokers, 1)).isEmpty();
            }
        }
    }

    @Test
    void fencedBrokersAndThisNodeAreNotProbed() throws Exception {
        DeadBrokerProbe probe = new DeadBrokerProbe();
        int port = closedPort();
        List<BrokerRegistration> brokers = List.of(broker(1, port, false), broker(3, port, true));
        for (int i = 0; i < 3; i++) {
            assertThat(probe.deadBrokers(brokers, 1)).isEmpty();
        }
    }
}
