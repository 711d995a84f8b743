package io.sluice.bench.broker.launch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads and writes the {@code key=value} lines of a server.properties (comments dropped, order kept). Stateless. */
final class ServerProperties {
    private ServerProperties() {
    }

    /** The settings of {@code lines}, in file order; comments, blank and malformed lines are dropped. */
    static Map<String, String> parse(List<String> lines) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String line : lines) {
            String trimmed = line.trim();
            int eq = trimmed.indexOf('=');
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && eq > 0) {
                props.put(trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
            }
        }
        return props;
    }

    static String render(Map<String, String> props) {
        return props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
