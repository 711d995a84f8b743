package io.sluice.server;

import io.sluice.server.config.ConfigException;
import io.sluice.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Sluice process: {@code Main start <server.properties>} (what bin/sluice runs), a {@link Broker}
 * or, with {@code process.roles=controller}, a {@link Controller}. Exits 2 on a bad config with a
 * message naming the setting, 1 when the start fails; SIGTERM/SIGINT close it cleanly through a
 * shutdown hook.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() { }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 || !args[0].equals("start")) {
            System.err.println("Usage: Main start <server.properties>");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        ServerConfig config;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("Config file not found: " + file);
            }
            config = ServerConfig.load(file);
        } catch (ConfigException e) {
            System.err.println("sluice: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("sluice: cannot read " + file + ": " + e);
            System.exit(2);
            return;
        }
        for (String name : config.noEffectSettings()) {
            LOG.warn("Setting {} has no effect: Sluice does not implement it yet", name);
        }
        AutoCloseable node;
        try {
            node = config.isBroker() ? Broker.start(config) : Controller.start(config);
        } catch (ConfigException | IllegalArgumentException e) {
            LOG.error("Start failed: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.error("Start failed", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Shutting down");
            try {
                node.close();
            } catch (Exception e) {
                LOG.error("Shutdown failed", e);
            }
            stopped.countDown();
        }, "sluice-shutdown"));
        stopped.await();
    }
}
