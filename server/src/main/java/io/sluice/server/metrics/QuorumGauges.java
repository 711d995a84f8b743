package io.sluice.server.metrics;

import static io.sluice.server.metrics.Gauges.counter;
import static io.sluice.server.metrics.Gauges.gauge;

import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.sluice.metadata.client.CommitStats;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.node.MetadataNode;

/**
 * The metadata quorum as this node sees it: who leads, at which epoch, how far the log is committed
 * and applied here, and the brokers registered and fenced. Read at scrape time from the node's own
 * Ratis view and image, so each node answers for itself (as Kafka's raft metrics do). Registered
 * once per node; thread-safe.
 */
public final class QuorumGauges {

    private QuorumGauges() { }

    public static void register(PrometheusRegistry registry, MetadataNode quorum, int nodeId) {
        gauge(registry, "sluice_quorum_leader_id", "Node id of the metadata quorum leader, or -1 when none is known.",
                () -> quorum.quorumStatus().leaderId().orElse(-1));
        gauge(registry, "sluice_quorum_is_leader", "1 when this node leads the metadata quorum, else 0.",
                () -> quorum.quorumStatus().leaderId().filter(id -> id == nodeId).isPresent() ? 1 : 0);
        gauge(registry, "sluice_quorum_leader_epoch", "Epoch (Raft term) of the metadata quorum's leader.",
                () -> quorum.quorumStatus().leaderEpoch());
        gauge(registry, "sluice_quorum_committed_offset", "Highest metadata log index known committed here (-1 unknown).",
                () -> quorum.quorumStatus().highWatermark());
        gauge(registry, "sluice_metadata_applied_offset", "Metadata log index of the image this node serves from.",
                () -> quorum.image().offset());
        counter(registry, "sluice_metadata_commit_failures_total",
                "Metadata commands this node submitted that failed (no leader in time, refused).",
                () -> quorum.client().commitStats().failed());
        SummaryWithCallback.builder().name("sluice_metadata_commit_seconds")
                .help("Time from this node submitting a metadata command to its commit (count and sum).")
                .callback(cb -> {
                    CommitStats s = quorum.client().commitStats();
                    cb.call(s.committed(), s.committedNanos() / 1e9, Quantiles.EMPTY);
                }).register(registry);
        gauge(registry, "sluice_registered_brokers", "Brokers registered in the metadata image.",
                () -> quorum.image().brokers().size());
        gauge(registry, "sluice_fenced_brokers", "Registered brokers that are fenced (no leadership, not offered to clients).",
                () -> quorum.image().brokers().values().stream().filter(BrokerRegistration::fenced).count());
    }
}
