package io.sluice.metadata.node;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code controller.quorum.voters}: {@code id@host:port}, where the port is the
 * voter's Ratis (gRPC) port. Immutable.
 */
public record QuorumVoter(int id, String host, int port) {
    public QuorumVoter {
        Objects.requireNonNull(host, "host");
        if (id < 0) {
            throw new IllegalArgumentException("voter id must be >= 0: " + id);
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("voter port out of range: " + port);
        }
    }

    /** Parses {@code "1@host:9093,2@host:9094"}; throws IllegalArgumentException naming the bad part. */
    public static List<QuorumVoter> parseList(String voters) {
        List<QuorumVoter> out = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (String part : voters.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            int at = s.indexOf('@');
            int colon = s.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == s.length() - 1) {
                throw new IllegalArgumentException("controller.quorum.voters: '" + s + "' is not id@host:port");
            }
            try {
                QuorumVoter v = new QuorumVoter(Integer.parseInt(s.substring(0, at)), s.substring(at + 1, colon),
                    Integer.parseInt(s.substring(colon + 1)));
                if (!ids.add(v.id())) {
                    throw new IllegalArgumentException("controller.quorum.voters: voter id " + v.id() + " twice");
                }
                out.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("controller.quorum.voters: '" + s + "' is not id@host:port", e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("controller.quorum.voters is empty");
        }
        return List.copyOf(out);
    }

    /** Canonical text of a voter list, sorted by id (what the node stores on disk). */
    public static String format(List<QuorumVoter> voters) {
        StringBuilder sb = new StringBuilder();
        voters.stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).forEach(v -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(v);
        });
        return sb.toString();
    }

    @Override
    public String toString() {
        return id + "@" + host + ":" + port;
    }
}
