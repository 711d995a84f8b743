package io.sluice.chaos.inject;

import io.sluice.chaos.proxy.FaultProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --slow-client-link 200ms}: client traffic to every node is delayed, links between nodes are
 * not. A {@link FaultProxy} per node (delay mode, in this JVM) forwards to the node's client port,
 * and an iptables nat rule redirects new client connections to that port into the proxy. The rules
 * match only sockets outside the {@code sluice} cgroup: the nodes run in {@code sluice/node-N}, and
 * this JVM moves itself into {@code sluice/inject} before its proxies open their upstream
 * connections, so neither the nodes' links nor the proxies' own connections are redirected.
 *
 * <p>NAT applies to new connections only, and a Kafka client keeps its connections, so a filter rule
 * resets each client connection that does not go through a proxy (conntrack state not DNAT) the next
 * time it sends: the client reconnects, through the delay. Healing removes the rules and closes the
 * proxies, whose connections clients then reopen directly. inject and heal are synchronized, so a
 * heal from the shutdown hook never misses what an inject made.
 */
public final class ClientLinkDelay implements Fault {
    private final LocalCluster cluster;
    private final NodeCgroups cgroups;
    private final Duration delay;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private InjectChain redirect;
    private InjectChain reset;
    private String formerCgroup;
    private boolean healing;

    public ClientLinkDelay(LocalCluster cluster, NodeCgroups cgroups, Duration delay) {
        this.cluster = cluster;
        this.cgroups = cgroups;
        this.delay = delay;
    }

    @Override
    public synchronized void inject(ActionLog log) throws IOException {
        if (healing) {
            return;
        }
        InjectChain.whyUnavailable().ifPresent(why -> {
            throw new IllegalStateException("cannot slow the client links: " + why);
        });
        cgroups.whyNodesNotInCgroups(cluster).ifPresent(why -> {
            throw new IllegalStateException("cannot slow the client links only: " + why);
        });
        // Before any proxy exists: their upstream sockets must carry the inject group to be exempt.
        formerCgroup = cgroups.joinInjectGroup();
        redirect = InjectChain.create("nat");
        reset = InjectChain.create("filter");
        StringBuilder what = new StringBuilder();
        for (LocalCluster.Node node : cluster.nodes()) {
            int port = node.ports().get(0);
            FaultProxy proxy = new FaultProxy("client-link-" + node.id(), new InetSocketAddress("127.0.0.1", port));
            proxies.add(proxy);
            proxy.delay(delay.toMillis());
            redirect.append("-p", "tcp", "-d", "127.0.0.1", "--dport", Integer.toString(port), "-m", "cgroup", "!",
                    "--path", NodeCgroups.PARENT, "-j", "REDIRECT", "--to-ports", Integer.toString(proxy.port()));
            reset.append("-p", "tcp", "-d", "127.0.0.1", "--dport", Integer.toString(port), "-m", "cgroup", "!",
                    "--path", NodeCgroups.PARENT, "-m", "conntrack", "!", "--ctstate", "DNAT", "-j", "REJECT",
                    "--reject-with", "tcp-reset");
            what.append(what.isEmpty() ? "" : ", ").append(port).append(" -> ").append(proxy.port());
        }
        log.print("slowed client links by " + Durations.format(delay) + " each way (client port -> delaying proxy: "
                + what + "); open client connections are reset once and reconnect through it; links between "
                + "nodes unchanged");
    }

    @Override
    public synchronized void heal(ActionLog log) throws IOException {
        healing = true;
        if (redirect == null && reset == null && proxies.isEmpty() && formerCgroup == null) {
            return;
        }
        // Proxies first: their closing FIN reaches a client only while the redirect's NAT mapping
        // is in place (seen here: closed after the rules went, clients never saw the close and hung
        // until their request timeout). A client reconnecting meanwhile is refused and retries.
        long connections = 0;
        for (FaultProxy proxy : proxies) {
            connections += proxy.acceptedConnections();
            proxy.close();
        }
        proxies.clear();
        if (redirect != null) {
            redirect.remove();
        }
        if (reset != null) {
            reset.remove();
        }
        if (formerCgroup != null) {
            cgroups.leaveInjectGroup(formerCgroup);
        }
        log.print("healed client links: rules removed, " + connections + " delayed connections closed (clients "
                + "reconnect directly)");
    }
}
