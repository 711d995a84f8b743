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

/**
 * Real sockets on loopback: a closed inter-broker port is a dead broker, a listening one (even if
 * never served) is not, and the client listener's advertised address is never what decides.
 */
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
        DeadBrokerProbe probe = new DeadBrokerProbe("PLAINTEXT");
        List<BrokerRegistration> brokers = List.of(broker(2, closedPort(), false));
        assertThat(probe.deadBrokers(brokers, 1)).as("one refusal may be a restart").isEmpty();
        assertThat(probe.deadBrokers(brokers, 1)).extracting(BrokerRegistration::brokerId).containsExactly(2);
    }

    @Test
    void aListeningBrokerThatNeverAnswersIsNotDead() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts in the kernel, like a SIGSTOPped process
            DeadBrokerProbe probe = new DeadBrokerProbe("PLAINTEXT");
            List<BrokerRegistration> brokers = List.of(broker(2, silent.getLocalPort(), false));
            for (int i = 0; i < 3; i++) {
                assertThat(probe.deadBrokers(brokers, 1)).isEmpty();
            }
        }
    }

    @Test
    void fencedBrokersAndThisNodeAreNotProbed() throws Exception {
        DeadBrokerProbe probe = new DeadBrokerProbe("PLAINTEXT");
        int port = closedPort();
        List<BrokerRegistration> brokers = List.of(broker(1, port, false), broker(3, port, true));
        for (int i = 0; i < 3; i++) {
            assertThat(probe.deadBrokers(brokers, 1)).isEmpty();
        }
    }

    /**
     * Found by the chaos suite (sluice-cluster, seed 0x13d1): clients reached each node through a
     * proxy advertised as 127.0.0.1:port, which from the quorum leader's own namespace is a closed
     * port, so the leader fenced every other live broker over and over and topic creation failed
     * with "only 2 broker(s) are registered".
     */
    @Test
    void anUnreachableAdvertisedClientListenerDoesNotFenceALiveBroker() throws Exception {
        try (ServerSocket interBroker = new ServerSocket(0)) {
            BrokerRegistration b = new BrokerRegistration(2, UUID.randomUUID(), 10, List.of(
                new Endpoint("CLIENT", "localhost", closedPort(), (short) 0),
                new Endpoint("INTERNAL", "localhost", interBroker.getLocalPort(), (short) 0)),
                Optional.empty(), false, 0);
            DeadBrokerProbe probe = new DeadBrokerProbe("INTERNAL");
            for (int i = 0; i < 3; i++) {
                assertThat(probe.deadBrokers(List.of(b), 1)).isEmpty();
            }
        }
    }

    @Test
    void aClosedInterBrokerListenerIsDeadWhateverTheClientListenerDoes() throws Exception {
        try (ServerSocket client = new ServerSocket(0)) {
            BrokerRegistration b = new BrokerRegistration(2, UUID.randomUUID(), 10, List.of(
                new Endpoint("CLIENT", "localhost", client.getLocalPort(), (short) 0),
                new Endpoint("INTERNAL", "localhost", closedPort(), (short) 0)),
                Optional.empty(), false, 0);
            DeadBrokerProbe probe = new DeadBrokerProbe("INTERNAL");
            assertThat(probe.deadBrokers(List.of(b), 1)).isEmpty();
            assertThat(probe.deadBrokers(List.of(b), 1)).extracting(BrokerRegistration::brokerId).containsExactly(2);
        }
    }

    @Test
    void aBrokerWithoutTheInterBrokerListenerIsNotProbed() throws Exception {
        DeadBrokerProbe probe = new DeadBrokerProbe("INTERNAL");
        List<BrokerRegistration> brokers = List.of(broker(2, closedPort(), false)); // PLAINTEXT only
        for (int i = 0; i < 3; i++) {
            assertThat(probe.deadBrokers(brokers, 1)).isEmpty();
        }
    }
}
