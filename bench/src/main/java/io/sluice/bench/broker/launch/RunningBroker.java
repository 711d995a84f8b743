package io.sluice.bench.broker.launch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * A started broker process: where clients reach it, which pid to observe in /proc, how to stop it.
 *
 * <p>Owned by the harness thread that started it; {@link #stop} is idempotent. Not thread-safe.
 */
public final class RunningBroker implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final String name;
    private final Process process;
    private final String bootstrap;
    private final Path logFile;
    private long jvmPid = -1;
    private boolean stopped;

    RunningBroker(String name, Process process, String bootstrap, Path logFile) {
        this.name = name;
        this.process = process;
        this.bootstrap = bootstrap;
        this.logFile = logFile;
    }

    public String name() {
        return name;
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrap() {
        return bootstrap;
    }

    /** The broker JVM's pid (the started process or, behind a start script, its java descendant). */
    public long pid() {
        if (jvmPid < 0) {
            jvmPid = ProcStats.jvmPid(process.toHandle());
        }
        return jvmPid < 0 ? process.pid() : jvmPid;
    }

    /** Whether the started process itself is the JVM now (a start script has exec'd it). */
    boolean isJvm() {
        return ProcStats.isJava(process.toHandle());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Where the process's stdout and stderr go. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Waits until the broker answers DescribeCluster on its listener, failing early if the process dies.
     */
    void awaitReady(Duration timeout) throws BrokerStartException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastError = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new BrokerStartException(name + " exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + logTail(30));
            }
            if (portOpen()) {
                try (Admin admin = Admin.create(adminProps())) {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes().get(6, TimeUnit.SECONDS);
                    pid();
                    return;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    lastError = e.toString();
                }
            }
            Thread.sleep(250);
        }
        stop();
        throw new BrokerStartException(name + " not ready after " + timeout.toSeconds() + " s (" + lastError
                + "); last lines of " + logFile + ":\n" + logTail(30));
    }

    private boolean portOpen() {
        int colon = bootstrap.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(bootstrap.substring(0, colon),
                    Integer.parseInt(bootstrap.substring(colon + 1))), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-bench-probe");
        return props;
    }

    /** The last lines of the process's output, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * SIGKILL to the broker JVM (kill -9: no shutdown hook, no controlled shutdown), and waits until
     * it is gone. The process tree's other members, if any, go too.
     */
    public void kill() throws InterruptedException {
        long jvm = pid();
        ProcessHandle.of(jvm).ifPresent(ProcessHandle::destroyForcibly);
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
        stopped = true;
    }

    /** SIGTERM to the process and its descendants without waiting: {@link #stop} then waits (several nodes stop at once). */
    void terminate() {
        if (stopped) {
            return;
        }
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
    }

    /** SIGKILL to the process and its descendants, no waiting: for a shutdown hook. */
    void destroyForcibly() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /**
     * SIGTERM to the process and its descendants (a clean shutdown, as Ctrl-C), then SIGKILL if it
     * still runs after {@code STOP_GRACE}.
     */
    public void stop() throws InterruptedException {
        if (stopped) {
            return;
        }
        stopped = true;
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : tree) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** A TCP port nobody listens on right now (tests and runs share this machine). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
