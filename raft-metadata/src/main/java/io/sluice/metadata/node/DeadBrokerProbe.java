package io.sluice.metadata.node;

import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tells a dead broker from a silent one, for the quorum leader's liveness tick. A broker whose
 * process died has a closed listener: a connect to it is refused at once. A paused or partitioned
 * broker still accepts (the kernel answers for a stopped process) or does not answer at all; only
 * the session timeout may fence those. So a broker refused on {@link #REFUSALS_TO_FENCE}
 * consecutive ticks is fenced right away, not {@code broker.session.timeout.ms} later, and its
 * partitions get new leaders that much sooner.
 *
 * <p>It knocks on the inter-broker listener, never on the first advertised one: that one is for
 * clients and may be a proxy, a load balancer or an address that only means something on the
 * client's side (127.0.0.1 behind a tunnel), so a refusal there says nothing about the broker. The
 * inter-broker listener is what every other broker must reach to replicate, so the quorum leader
 * reaches it too. A broker that does not advertise it is never probed (its session timeout
 * applies). Not thread-safe: the ticker thread owns it.
 */
final class DeadBrokerProbe {

    /** Refused connects in a row that mean the process is gone (one could be a listener restarting). */
    static final int REFUSALS_TO_FENCE = 2;
    /** A connect that takes longer is not a refusal: the broker may be partitioned, not dead. */
    static final int CONNECT_TIMEOUT_MS = 200;

    private final Map<Integer, Integer> refusalsInARow = new HashMap<>();
    private final String listenerName;

    /** @param listenerName the inter-broker listener ({@code inter.broker.listener.name}) the probe knocks on */
    DeadBrokerProbe(String listenerName) {
        this.listenerName = listenerName;
    }

    /** The unfenced brokers (other than {@code selfId}) whose listener refused on the last ticks. */
    List<BrokerRegistration> deadBrokers(Collection<BrokerRegistration> brokers, int selfId) {
        List<BrokerRegistration> dead = new ArrayList<>();
        for (BrokerRegistration b : brokers) {
            Optional<Endpoint> endpoint = probed(b);
            if (b.fenced() || b.brokerId() == selfId || endpoint.isEmpty()) {
                refusalsInARow.remove(b.brokerId());
                continue;
            }
            if (refused(endpoint.get())) {
                int n = refusalsInARow.merge(b.brokerId(), 1, Integer::sum);
                if (n >= REFUSALS_TO_FENCE) {
                    dead.add(b);
                }
            } else {
                refusalsInARow.remove(b.brokerId());
            }
        }
        return dead;
    }

    /** The endpoint the probe knocks on for {@code b}: its inter-broker listener, if it advertises one. */
    Optional<Endpoint> probed(BrokerRegistration b) {
        return b.endpoints().stream().filter(e -> e.listenerName().equalsIgnoreCase(listenerName)).findFirst();
    }

    private static boolean refused(Endpoint e) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(e.host(), e.port()), CONNECT_TIMEOUT_MS);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException timeoutOrOther) {
            return false;
        }
    }
}
