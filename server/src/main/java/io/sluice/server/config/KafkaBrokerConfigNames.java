package io.sluice.server.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names of Apache Kafka 4.4.0's broker settings, read from {@value #RESOURCE}. That file is
 * generated from Kafka's own definitions ({@code kafka.server.KafkaConfig.configDef()} and the
 * StandardAuthorizer's settings) by {@code KafkaBrokerConfigNamesTest}, which fails when the
 * checked-in file differs, so the list is never hand-typed and cannot drift from the pinned Kafka.
 * The broker reads the file; it never loads Kafka's server classes. Read by {@link SettingSupport};
 * loaded once per JVM, immutable, thread-safe.
 */
public final class KafkaBrokerConfigNames {

    static final String RESOURCE = "kafka-broker-configs.txt";

    private static final Set<String> NAMES = load();

    private KafkaBrokerConfigNames() { }

    /** Whether Kafka 4.4.0's broker knows this setting name. */
    public static boolean contains(String name) {
        return NAMES.contains(name);
    }

    public static Set<String> all() {
        return NAMES;
    }

    private static Set<String> load() {
        Set<String> names = new TreeSet<>();
        try (InputStream in = KafkaBrokerConfigNames.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " missing from the broker's jar");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String name = line.trim();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
