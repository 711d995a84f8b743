package io.sluice.chaos.target;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to run one broker of the system under test as a process: the command that starts it, an
 * optional command that formats its data directory first, and its {@code server.properties} as a
 * template. Immutable, thread-safe.
 *
 * <p>Templates may use {@code ${nodeId} ${clientPort} ${controllerPort} ${advertisedPort} ${logDir}
 * ${nodeDir}} (properties) and additionally {@code ${config}} (commands). The client listener is
 * advertised on the proxy's port so every client connection passes through the fault proxy.
 *
 * @param name                   shown in reports
 * @param startCommand           argv of the broker process; it must stay in the foreground
 * @param formatCommand          argv run once before the first start (KRaft storage format), if any
 * @param properties             server.properties template, in order
 * @param checkpointTracksForce  true if the target's {@code recovery-point-offset-checkpoint} is
 *                               written whenever it forces a log: power loss then cuts to the
 *                               checkpoint alone. False (Kafka and Sluice today: checkpointed on a
 *                               timer) makes power loss cut at the kernel's dirty pages where they
 *                               are readable, and keep, in flush.messages=1 topics, at least what
 *                               the broker acknowledged — it was forced before the ack
 */
public record TargetSpec(String name, List<String> startCommand, Optional<List<String>> formatCommand,
                         Map<String, String> properties, boolean checkpointTracksForce) {

    public TargetSpec {
        startCommand = List.copyOf(startCommand);
        formatCommand = formatCommand.map(List::copyOf);
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Replaces every {@code ${key}} in {@code template}. Unknown keys are an error: a typo must not start a broker. */
    public static String expand(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int start = template.indexOf("${", i);
            if (start < 0) {
                out.append(template, i, template.length());
                break;
            }
            int end = template.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed ${ in " + template);
            }
            String key = template.substring(start + 2, end);
            String value = values.get(key);
            if (value == null) {
                throw new IllegalArgumentException("unknown placeholder ${" + key + "} in " + template
                        + "; known: " + values.keySet());
            }
            out.append(template, i, start).append(value);
            i = end + 1;
        }
        return out.toString();
    }
}
