package io.sluice.server.config;

import java.util.Arrays;
import java.util.List;

/**
 * One setting of server.properties: Kafka's name, type, default and what values are valid.
 * Immutable.
 */
public record ConfigKey(String name, Type type, Object defaultValue, Validator validator, String doc) {

    /** Marks a setting without default: it must be given. */
    public static final Object REQUIRED = new Object() {
        @Override public String toString() { return "<required>"; }
    };

    public enum Type { INT, LONG, DOUBLE, BOOLEAN, STRING, LIST, PASSWORD }

    /** Checks a parsed value; returns null when fine, else the reason. */
    @FunctionalInterface
    public interface Validator {
        String check(Object value);

        Validator ANY = v -> null;

        static Validator atLeast(long min) {
            return v -> v == null || ((Number) v).longValue() >= min ? null : "must be at least " + min;
        }

        static Validator between(long min, long max) {
            return v -> v == null || (((Number) v).longValue() >= min && ((Number) v).longValue() <= max)
                    ? null : "must be between " + min + " and " + max;
        }

        static Validator betweenDouble(double min, double max) {
            return v -> v == null || (((Number) v).doubleValue() >= min && ((Number) v).doubleValue() <= max)
                    ? null : "must be between " + min + " and " + max;
        }

        static Validator oneOf(String... allowed) {
            List<String> list = Arrays.asList(allowed);
            return v -> v == null || list.contains(v) ? null : "must be one of " + list;
        }

        static Validator listOf(String... allowed) {
            List<String> list = Arrays.asList(allowed);
            return v -> {
                for (Object item : (List<?>) v) {
                    if (!list.contains(item)) {
                        return "'" + item + "' is not one of " + list;
                    }
                }
                return null;
            };
        }
    }

    /** Parses a raw string from the properties file. */
    Object parse(String raw) {
        String s = raw.trim();
        try {
            return switch (type) {
                case INT -> Integer.parseInt(s);
                case LONG -> Long.parseLong(s);
                case DOUBLE -> Double.parseDouble(s);
                case BOOLEAN -> {
                    if (s.equalsIgnoreCase("true")) yield Boolean.TRUE;
                    if (s.equalsIgnoreCase("false")) yield Boolean.FALSE;
                    throw new ConfigException("Invalid value " + raw + " for configuration " + name
                            + ": expected true or false");
                }
                case STRING, PASSWORD -> s;
                case LIST -> s.isEmpty() ? List.of()
                        : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            };
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid value " + raw + " for configuration " + name + ": not a number ("
                    + type.name().toLowerCase() + ")");
        }
    }
}
