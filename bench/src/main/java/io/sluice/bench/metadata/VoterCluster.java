package io.sluice.bench.metadata;

import io.sluice.metadata.node.QuorumVoter;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Voters as separate JVMs on free ports (so a leader can be SIGKILLed), each with its own dir
 * under {@code baseDir}. Owned by one benchmark thread; {@link #close()} kills what is left.
 */
final class VoterCluster implements AutoCloseable {
    private static final int START_TIMEOUT_S = 60;

    private final Path baseDir;
    private final int electionTimeoutMs;
    private final List<QuorumVoter> voters = new ArrayList<>();
    private final Map<Integer, Process> processes = new HashMap<>();

    VoterCluster(Path baseDir, int count, int electionTimeoutMs) throws IOException {
        this.baseDir = baseDir;
        this.electionTimeoutMs = electionTimeoutMs;
        for (int i = 1; i <= count; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                voters.add(new QuorumVoter(i, "127.0.0.1", s.getLocalPort()));
            }
        }
    }

    String votersString() {
        return QuorumVoter.format(voters);
    }

    List<QuorumVoter> voters() {
        return voters;
    }

    void startAll() throws IOException, InterruptedException {
        for (QuorumVoter v : voters) {
            start(v.id());
        }
    }

    void start(int id) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC"));
        String logConfig = System.getProperty("logback.configurationFile");
        if (logConfig != null) {
            cmd.add("-Dlogback.configurationFile=" + logConfig);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), VoterProcess.class.getName(),
            String.valueOf(id), votersString(), baseDir.resolve("voter-" + id).toString(),
            String.valueOf(electionTimeoutMs)));
        // Both streams go to files: a logging backend on the class path writes to stdout, and a pipe
        // nobody drains fills up and blocks the voter mid-election.
        Path out = baseDir.resolve("voter-" + id + ".out");
        long startOffset = Files.exists(out) ? Files.size(out) : 0; // restarts append to the same file
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(baseDir.resolve("voter-" + id + ".err").toFile()));
        Process p = pb.start();
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_S);
        while (!printedReady(out, startOffset)) {
            if (!p.isAlive() || System.nanoTime() > deadlineNs) {
                p.destroyForcibly();
                throw new IOException("voter " + id + " did not start in " + START_TIMEOUT_S + " s (see " + out + ")");
            }
            Thread.sleep(20);
        }
        processes.put(id, p);
    }

    /** Whether this start's part of {@code out} (from {@code fromOffset}) has a READY line; reads only that part. */
    private static boolean printedReady(Path out, long fromOffset) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(out)) {
            ch.position(fromOffset);
            ByteBuffer since = ByteBuffer.allocate((int) Math.max(0, ch.size() - fromOffset));
            while (since.hasRemaining() && ch.read(since) > 0) {
                // read this start's output
            }
            String text = new String(since.array(), 0, since.position(), StandardCharsets.ISO_8859_1);
            return text.startsWith("READY\n") || text.contains("\nREADY\n");
        }
    }

    /** SIGKILL (Process.destroyForcibly on Linux) and reap. */
    void kill(int id) throws InterruptedException {
        Process p = processes.remove(id);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends SIGKILL and returns without waiting (for timing). */
    Process killNoWait(int id) {
        Process p = processes.remove(id);
        p.destroyForcibly();
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        for (Integer id : new ArrayList<>(processes.keySet())) {
            kill(id);
        }
    }
}
