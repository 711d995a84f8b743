package io.sluice.server.tools.status;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/sluice status}: the cluster on one screen, read as a client (Admin API and metrics endpoints). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Brokers, the metadata quorum, partition health, log dirs, top topics and groups, on one screen.")
public final class StatusCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", description = "Brokers to ask, host:port[,...] (default ${DEFAULT-VALUE})")
    String bootstrap = "localhost:9092";

    @Option(names = "--timeout-ms", description = "Bound on each call and scrape (default ${DEFAULT-VALUE})")
    int timeoutMs = 10_000;

    @Option(names = "--top", description = "Topics shown by bytes in (default ${DEFAULT-VALUE})")
    int topTopics = 5;

    @Option(names = "--groups-max", description = "Groups shown (default ${DEFAULT-VALUE})")
    int groupsMax = 20;

    private final PrintStream out;

    public StatusCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StatusCommand(System.out)).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Shorter than the call's bound, so a call sent to a broker that does not answer is retried on another.
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(500, timeoutMs / 5));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = Admin.create(p)) {
            ClusterStatus status = new StatusCollector(admin, Duration.ofMillis(timeoutMs), groupsMax, Clock.systemUTC())
                    .collect(topTopics);
            out.print(StatusReport.render(status));
        }
        return 0;
    }
}
