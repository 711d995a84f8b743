package io.sluice.chaos.inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The cgroups (v2) {@code bin/sluice cluster start} puts the nodes in, {@code <mount>/sluice/node-N}.
 * iptables' cgroup match reads a socket's cgroup, fixed when the socket was made, so these let a rule
 * tell one node's connections from another's on the shared loopback. Also the inject process's own
 * group under the same parent, so its proxies' connections are told apart from the user's clients.
 * Stateless: everything is read from /proc and the hierarchy when asked.
 */
public final class NodeCgroups {
    /** The parent group, as {@code bin/sluice} names it ({@code CLUSTER_CGROUP}). */
    public static final String PARENT = "sluice";
    /** The inject process's own group under {@link #PARENT}. */
    static final String INJECT_GROUP = PARENT + "/inject";

    private final Path mount;

    private NodeCgroups(Path mount) {
        this.mount = mount;
    }

    /** The cgroup v2 hierarchy as {@code /proc/mounts} names it (the first {@code cgroup2} line). */
    public static Optional<NodeCgroups> find() {
        try {
            return parseMounts(Files.readString(Path.of("/proc/mounts"))).map(NodeCgroups::new);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The mount point of the first cgroup2 file system in a {@code /proc/mounts} text. */
    static Optional<Path> parseMounts(String procMounts) {
        for (String line : procMounts.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[2].equals("cgroup2")) {
                return Optional.of(Path.of(f[1].replace("\\040", " ")));
            }
        }
        return Optional.empty();
    }

    public Path mount() {
        return mount;
    }

    /** {@code sluice/node-N}: node {@code id}'s group, relative to the hierarchy as iptables' {@code --path} wants it. */
    public static String nodePath(int id) {
        return PARENT + "/node-" + id;
    }

    /** The cgroup v2 path of a process, from its {@code /proc/PID/cgroup} line {@code 0::/path}, without the leading slash. */
    public static Optional<String> of(long pid) {
        try {
            return parseProcCgroup(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> parseProcCgroup(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("0::")) {
                String path = line.substring(3).trim();
                return Optional.of(path.startsWith("/") ? path.substring(1) : path);
            }
        }
        return Optional.empty();
    }

    /**
     * Why the nodes' connections cannot be told apart, or empty if they can: every running node must
     * be in its own group. Needs root for iptables too.
     */
    public Optional<String> whyNodesNotInCgroups(LocalCluster cluster) {
        for (LocalCluster.Node n : cluster.nodes()) {
            ProcessHandle p = cluster.runningProcess(n.id());
            String path = of(p.pid()).orElse("(unknown)");
            if (!path.equals(nodePath(n.id()))) {
                return Optional.of("node " + n.id() + " (pid " + p.pid() + ") runs in cgroup '/" + path + "', not in '/"
                        + nodePath(n.id()) + "' under " + mount + ": bin/sluice cluster start places nodes in cgroups "
                        + "only as root with a writable cgroup v2 hierarchy; restart the cluster that way");
            }
        }
        return Optional.empty();
    }

    /**
     * Moves this whole process (every thread) into {@link #INJECT_GROUP}; sockets it opens from now
     * on carry that group.
     *
     * @return the group it was in, to return to
     */
    public String joinInjectGroup() throws IOException {
        long self = ProcessHandle.current().pid();
        String before = of(self).orElseThrow(() -> new IOException("no cgroup v2 line in /proc/self/cgroup"));
        Path dir = Files.createDirectories(mount.resolve(INJECT_GROUP));
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(self));
        return before;
    }

    /** Moves this process back to {@code group} and removes the inject group once it is empty. */
    public void leaveInjectGroup(String group) throws IOException {
        Files.writeString(mount.resolve(group).resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        removeInjectGroup();
    }

    /** Removes the inject group if no process is in it (a crashed inject leaves it behind). */
    public void removeInjectGroup() throws IOException {
        Path dir = mount.resolve(INJECT_GROUP);
        if (Files.isDirectory(dir) && Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
            Files.delete(dir);
        }
    }
}
