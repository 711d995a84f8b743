package io.sluice.server.tools.status;

import java.util.List;
import java.util.Locale;

/** Renders a {@link ClusterStatus} as one screen of text. Stateless. */
final class StatusReport {

    /** Unhealthy partitions named per kind before "... and N more". */
    private static final int NAMES_MAX = 8;

    private StatusReport() { }

    static String render(ClusterStatus s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Cluster %s: %d brokers, controller %d%n", s.clusterId(),
                s.brokers().size(), s.controllerId()));

        out.append("\nBROKERS\n");
        for (ClusterStatus.Broker b : s.brokers()) {
            out.append(String.format(Locale.ROOT, "  %-4d %-24s rack %-8s %-7s %s%n", b.id(), b.endpoint(),
                    b.rack() == null ? "-" : b.rack(), b.fenced() ? "FENCED" : "alive",
                    b.metricsUrl() == null ? "(no metrics endpoint)" : b.metricsUrl()));
        }

        ClusterStatus.Quorum q = s.quorum();
        out.append("\nQUORUM");
        if (q == null) {
            out.append(" (not read)\n");
        } else {
            out.append(String.format(Locale.ROOT, "  leader %d, epoch %d, committed offset %d%n", q.leaderId(),
                    q.leaderEpoch(), q.highWatermark()));
            for (ClusterStatus.Voter v : q.voters()) {
                out.append(String.format(Locale.ROOT, "  voter %-4d log end %-10d lag %-8s caught up %s%n", v.id(),
                        v.logEndOffset(), v.lagRecords() < 0 ? "?" : Long.toString(v.lagRecords()),
                        v.caughtUpAgoMs() < 0 ? "?" : v.caughtUpAgoMs() + " ms ago"));
            }
        }

        ClusterStatus.Partitions p = s.partitions();
        out.append(String.format(Locale.ROOT, "%nPARTITIONS  %d in all, %d under-replicated, %d under min ISR, %d offline%n",
                p.total(), p.underReplicated().size(), p.underMinIsr().size(), p.offline().size()));
        names(out, "offline", p.offline());
        names(out, "under min ISR", p.underMinIsr());
        names(out, "under-replicated", p.underReplicated());

        out.append("\nLOG DIRS\n");
        for (ClusterStatus.LogDir d : s.logDirs()) {
            out.append(String.format(Locale.ROOT, "  broker %-4d %-8s %s%n", d.brokerId(), d.online() ? "online" : "OFFLINE",
                    d.dir()));
        }

        out.append("\nTOP TOPICS BY BYTES IN (since each broker started)\n");
        for (ClusterStatus.TopicTraffic t : s.topTopics()) {
            out.append(String.format(Locale.ROOT, "  %-32s in %10s   out %10s%n", t.topic(), bytes(t.bytesIn()),
                    bytes(t.bytesOut())));
        }

        out.append("\nGROUPS\n");
        for (ClusterStatus.Group g : s.groups()) {
            out.append(String.format(Locale.ROOT, "  %-32s %-9s %-18s lag %-10s %s%n", g.groupId(), g.type(), g.state(),
                    g.lagRecords() < 0 ? "?" : Long.toString(g.lagRecords()), g.verdict() == null ? "-" : g.verdict()));
        }
        if (!s.unread().isEmpty()) {
            out.append("\nNOT READ\n");
            s.unread().forEach(u -> out.append("  ").append(u).append('\n'));
        }
        return out.toString();
    }

    private static void names(StringBuilder out, String kind, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        out.append("  ").append(kind).append(": ")
                .append(String.join(", ", names.subList(0, Math.min(NAMES_MAX, names.size()))));
        if (names.size() > NAMES_MAX) {
            out.append(" ... and ").append(names.size() - NAMES_MAX).append(" more");
        }
        out.append('\n');
    }

    private static String bytes(double b) {
        if (b >= 1 << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (1 << 30));
        }
        if (b >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
        }
        if (b >= 1 << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", b / (1 << 10));
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }
}
