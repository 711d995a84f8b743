package io.sluice.chaos.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The harness's own network for a cluster: one network namespace per node, each joined to a
 * bridge in the root namespace by a veth pair. The bridge carries an address, so the harness's
 * JVM (proxies, clients, admin) reaches every node; the nodes reach each other over the bridge,
 * and {@link Firewall} cuts links with iptables rules inside the namespaces.
 *
 * <p>Every name starts with {@link #PREFIX} and every address is in {@link #SUBNET}.0/24, on the
 * harness's veths only. {@link #create} first removes what a crashed run left behind (found by the
 * prefix); {@link #close} removes everything it made. One network per machine at a time: a lock
 * file keeps a second run from tearing down a live one.
 *
 * <p>Owned by one cluster (the schedule runner's thread); not thread-safe.
 */
public final class ClusterNetwork implements AutoCloseable {
    /** Short: Linux interface names are at most 15 characters. */
    public static final String PREFIX = "slcx";
    /** A private /24 unlikely to collide with a real network; checked against the routes first. */
    public static final String SUBNET = "10.231.77";
    static final String BRIDGE = PREFIX + "-br";
    /** {@link #probe}'s namespace, followed by the probing JVM's pid. */
    static final String PROBE_PREFIX = PREFIX + "-probe-";
    /** Root-namespace rules the harness adds carry this comment, so leftovers can be found. */
    static final String RULE_COMMENT = PREFIX + "-harness";
    private static final Path LOCK_FILE = Path.of(System.getProperty("java.io.tmpdir"), PREFIX + "-network.lock");
    private static final int FIRST_NODE_HOST = 11;
    /** {@code -Dchaos.namespaces=off}: run clusters on the loopback, as on a machine without namespaces. */
    public static final String DISABLE_PROPERTY = "chaos.namespaces";

    private final int nodes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private ClusterNetwork(int nodes, FileChannel lockChannel, FileLock lock) {
        this.nodes = nodes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** The probe's result, once per JVM; null until probed. */
    private static volatile Optional<String> probed;

    /**
     * Why namespaces cannot be made here, or empty if they can: the switch, then (probed once per
     * JVM, see {@link #probe}) root, {@code ip}, a usable {@code iptables}, and a namespace that can
     * really be made, firewalled and removed.
     */
    public static Optional<String> unavailableReason() {
        if ("off".equals(System.getProperty(DISABLE_PROPERTY))) {
            return Optional.of("namespaces turned off (-D" + DISABLE_PROPERTY + "=off, --no-namespaces)");
        }
        Optional<String> result = probed;
        if (result == null) {
            synchronized (ClusterNetwork.class) {
                if (probed == null) {
                    probed = probe();
                }
                result = probed;
            }
        }
        return result;
    }

    /**
     * Tries what {@link #create} needs instead of inferring it from the user name: root in a
     * container without CAP_SYS_ADMIN/CAP_NET_ADMIN, or an iptables without a working backend, must
     * skip the network faults with the reason, not fail at the first {@code ip netns add} or
     * {@code iptables -I}.
     */
    static Optional<String> probe() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("network namespaces need root (running as " + System.getProperty("user.name") + ")");
        }
        Shell.Result ip = Shell.run("ip", "-V");
        if (!ip.ok()) {
            return Optional.of("`ip` (iproute2) is missing: " + ip.output());
        }
        Shell.Result iptables = Shell.run("iptables", "-V");
        if (!iptables.ok()) {
            return Optional.of("`iptables` is missing (apt-get install -y iptables): " + iptables.output());
        }
        // build() reads the root FORWARD policy; a failure there is no policy, but an iptables that cannot work.
        Shell.Result forward = Shell.run("iptables", "-S", "FORWARD");
        if (!forward.ok()) {
            return Optional.of("iptables unusable (`iptables -S FORWARD` exited " + forward.exitCode() + ": "
                    + forward.output() + ")");
        }
        // Named per JVM so two probing JVMs do not collide; see liveProbe for runs that hold the network.
        String ns = PROBE_PREFIX + ProcessHandle.current().pid();
        Shell.Result add = Shell.run("ip", "netns", "add", ns);
        if (!add.ok()) {
            return Optional.of("cannot create a network namespace (`ip netns add " + ns + "` exited " + add.exitCode()
                    + ": " + add.output() + "); a container needs CAP_SYS_ADMIN and CAP_NET_ADMIN");
        }
        Optional<String> why = Optional.empty();
        try {
            Shell.Result inside = Shell.run("ip", "netns", "exec", ns, "iptables", "-S");
            if (!inside.ok()) {
                why = Optional.of("iptables unusable inside a network namespace (`ip netns exec " + ns
                        + " iptables -S` exited " + inside.exitCode() + ": " + inside.output() + ")");
            }
        } finally {
            Shell.Result del = Shell.run("ip", "netns", "del", ns);
            if (!del.ok() && why.isEmpty()) {
                why = Optional.of("cannot remove a network namespace (`ip netns del " + ns + "` exited "
                        + del.exitCode() + ": " + del.output() + ")");
            }
        }
        return why;
    }

    /**
     * A namespace a still-running JVM's {@link #probe} is using: not a leftover, so a run holding the
     * network neither reports nor deletes it. A crashed probe's (its pid gone) is a leftover.
     */
    private static boolean liveProbe(String netns) {
        if (!netns.startsWith(PROBE_PREFIX)) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(netns.substring(PROBE_PREFIX.length()))).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Namespace name of node index {@code node} (0-based). */
    public static String namespace(int node) {
        return PREFIX + "-n" + (node + 1);
    }

    /** The node's address, on its veth inside its namespace. */
    public static String address(int node) {
        return SUBNET + "." + (FIRST_NODE_HOST + node);
    }

    /** The bridge's address in the root namespace: where client traffic to the nodes comes from. */
    public static String clientAddress() {
        return SUBNET + ".1";
    }

    /** Removes leftovers, then builds namespaces, veths and the bridge for {@code nodes} nodes. */
    public static ClusterNetwork create(int nodes) throws IOException {
        Optional<String> why = unavailableReason();
        if (why.isPresent()) {
            throw new IllegalStateException(why.get());
        }
        FileChannel channel = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockOrThrow(channel);
        ClusterNetwork net = new ClusterNetwork(nodes, channel, lock);
        try {
            removeAll();
            net.build();
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private static FileLock lockOrThrow(FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another chaos run holds " + LOCK_FILE + " and its cluster network");
        }
        return lock;
    }

    private void build() {
        String routes = Shell.check("ip", "-4", "route", "show");
        if (routes.contains(SUBNET + ".")) {
            throw new IllegalStateException("the harness subnet " + SUBNET + ".0/24 is already routed here: " + routes);
        }
        Shell.check("ip", "link", "add", BRIDGE, "type", "bridge");
        Shell.check("ip", "addr", "add", clientAddress() + "/24", "dev", BRIDGE);
        Shell.check("ip", "link", "set", BRIDGE, "up");
        for (int i = 0; i < nodes; i++) {
            String ns = namespace(i);
            String host = PREFIX + "-h" + (i + 1);
            String peer = PREFIX + "-v" + (i + 1);
            Shell.check("ip", "netns", "add", ns);
            Shell.check("ip", "link", "add", host, "type", "veth", "peer", "name", peer);
            Shell.check("ip", "link", "set", peer, "netns", ns);
            Shell.check("ip", "link", "set", host, "master", BRIDGE);
            Shell.check("ip", "link", "set", host, "up");
            Shell.check("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", peer);
            Shell.check("ip", "-n", ns, "link", "set", peer, "up");
            Shell.check("ip", "-n", ns, "link", "set", "lo", "up");
        }
        // With br_netfilter loaded, bridged frames pass the root namespace's FORWARD chain; a host
        // whose FORWARD policy drops (Docker sets one) would cut every node link, so let ours through.
        // The probe ran this command successfully, so a failure now is an error, not a policy.
        if (!Shell.check("iptables", "-S", "FORWARD").contains("-P FORWARD ACCEPT")) {
            String[] rule = {"FORWARD", "-i", BRIDGE, "-o", BRIDGE, "-m", "comment", "--comment", RULE_COMMENT,
                    "-j", "ACCEPT"};
            Shell.check(concat(new String[] {"iptables", "-I"}, rule));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The argv prefix that runs a command inside node {@code node}'s namespace. */
    public List<String> execPrefix(int node) {
        return List.of("ip", "netns", "exec", namespace(node));
    }

    public int nodes() {
        return nodes;
    }

    /** What exists on this machine with the harness prefix: namespaces, links, root rules. */
    public static List<String> leftovers() {
        List<String> out = new ArrayList<>();
        for (String line : Shell.run("ip", "netns", "list").output().split("\n")) {
            String name = line.split("\\s+")[0];
            if (name.startsWith(PREFIX) && !liveProbe(name)) {
                out.add("netns " + name);
            }
        }
        for (String line : Shell.run("ip", "-o", "link", "show").output().split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length > 1) {
                String name = f[1].split("@")[0];
                if (name.startsWith(PREFIX)) {
                    out.add("link " + name);
                }
            }
        }
        for (String rule : Shell.run("iptables", "-S").output().split("\n")) {
            if (rule.contains(RULE_COMMENT)) {
                out.add("rule " + rule);
            }
        }
        return out;
    }

    /**
     * Removes what a crashed run left (every namespace, link and root rule with the prefix), unless
     * a live run holds the network: then it throws rather than tear that run's network down.
     */
    public static void removeLeftovers() throws IOException {
        try (FileChannel channel = FileChannel.open(LOCK_FILE, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = lockOrThrow(channel);
            try {
                removeAll();
            } finally {
                lock.release();
            }
        }
    }

    /**
     * Removes every namespace, link and root rule with the harness prefix; the caller holds the lock.
     * Deleting a namespace destroys its veth end and so the peer on the bridge too.
     */
    private static void removeAll() {
        for (String item : leftovers()) {
            if (item.startsWith("netns ")) {
                Shell.run("ip", "netns", "del", item.substring("netns ".length()));
            }
        }
        for (String item : leftovers()) {
            if (item.startsWith("link ")) {
                Shell.run("ip", "link", "del", item.substring("link ".length()));
            }
        }
        for (String item : leftovers()) {
            if (item.startsWith("rule -A ")) {
                List<String> argv = new ArrayList<>(List.of("iptables", "-D"));
                argv.addAll(splitRule(item.substring("rule -A ".length())));
                Shell.run(argv);
            }
        }
    }

    /** Splits an {@code iptables -S} rule into argv, keeping a quoted comment whole. */
    static List<String> splitRule(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : rule.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Removes everything this network made (and anything else with the prefix), then releases the lock. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            removeAll();
        } finally {
            try {
                lock.release();
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock dies with the channel or the JVM anyway
            }
        }
    }
}
