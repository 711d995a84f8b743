package io.sluice.server.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.IntFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The cluster a test starts and the Admin clients it opens on it, all closed after the test, so a
 * test needs no {@code @AfterEach} of its own. Registered with {@code @RegisterExtension} on an
 * instance field, it is one per test. A failed test's node logs are still printed by
 * {@link ClusterLogsOnFailure}: it runs right after the test method, before this closes anything.
 */
public final class ClusterFixture implements AfterEachCallback {

    /** Bounds an Admin's close: with brokers stopped or frozen it would wait for its calls in flight. */
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final List<Admin> admins = new ArrayList<>();
    private ClusterProcess cluster;

    /** {@link ClusterProcess#start(int, Map)}, closed after the test. */
    public ClusterProcess start(int size, Map<String, String> extra) throws IOException, InterruptedException {
        return closedAfterTest(ClusterProcess.start(size, extra));
    }

    /** {@link ClusterProcess#start(int, Map, IntFunction)}, closed after the test. */
    public ClusterProcess start(int size, Map<String, String> extra, IntFunction<Map<String, String>> perNode)
            throws IOException, InterruptedException {
        return closedAfterTest(ClusterProcess.start(size, extra, perNode));
    }

    /** {@link ClusterProcess#startIsolated}, closed after the test. */
    public ClusterProcess startIsolated(int controllers, int brokers, Map<String, String> extra)
            throws IOException, InterruptedException {
        return closedAfterTest(ClusterProcess.startIsolated(controllers, brokers, extra));
    }

    private ClusterProcess closedAfterTest(ClusterProcess started) {
        cluster = started;
        return started;
    }

    /** An Admin on all the started cluster's brokers ({@link Clients#admin}), closed after the test. */
    public Admin admin() {
        return admin(cluster.bootstrap());
    }

    /** An Admin on {@code bootstrap} ({@link Clients#admin}), e.g. one node of the cluster, closed after the test. */
    public Admin admin(String bootstrap) {
        return closedAfterTest(Clients.admin(bootstrap));
    }

    /**
     * An Admin on all the started cluster's brokers whose request to a dead or paused node fails
     * after 3 s (a whole call after 6 s), so a wait that asks again is not held for the default
     * 30 s; closed after the test.
     */
    public Admin adminFailingFast() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "6000");
        return closedAfterTest(Admin.create(p));
    }

    /** {@code admin}, for one with settings of its own, closed after the test. */
    public Admin closedAfterTest(Admin admin) {
        admins.add(admin);
        return admin;
    }

    /**
     * The Admins first, while their brokers still answer. One the test closed already returns at once.
     * The cluster is closed even if an Admin's close fails: a leftover process would fail the next test.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        try {
            admins.forEach(admin -> admin.close(ADMIN_CLOSE_TIMEOUT));
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
