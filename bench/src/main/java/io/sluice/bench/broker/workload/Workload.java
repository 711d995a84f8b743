package io.sluice.bench.broker.workload;

/**
 * One measured workload: what the clients do, against how many partitions. The same list runs
 * against each broker. Immutable.
 *
 * @param kind        what the clients do
 * @param partitions  partitions of the workload's topic (replication factor 1: single node)
 * @param acks        producer {@code acks} ("1" or "all")
 * @param batchBytes  producer {@code batch.size}, or 0 for the client's default (16384)
 * @param ratePerSec  records per second for {@link Kind#END_TO_END}; 0 means as fast as possible
 * @param consumers   group members: share consumers of {@link Kind#SHARE_CONSUME}, members before the
 *                    join of {@link Kind#REBALANCE}; 1 otherwise
 * @param groupProtocol {@code group.protocol} of {@link Kind#REBALANCE} ("classic" or "consumer"), else null
 */
public record Workload(Kind kind, int partitions, String acks, int batchBytes, int ratePerSec, int consumers,
                       String groupProtocol) {

    /** What the clients do in a workload. */
    public enum Kind {
        /** One producer sends 1 KiB records as fast as it can (closed loop, like kafka-producer-perf-test). */
        PRODUCE,
        /** One consumer reads a topic written just before, from the beginning to the end. */
        CONSUME,
        /** A producer at a fixed rate and a consumer; latency from each record's intended send time. */
        END_TO_END,
        /** A stable group gains one member; latency is the time until it is stable again. */
        REBALANCE,
        /** Share consumers (KIP-932) of one group read a topic written just before. */
        SHARE_CONSUME
    }

    /** Size of every record's value: 1 KiB, as in the issue. */
    public static final int RECORD_BYTES = 1024;

    public static Workload produce(int partitions, String acks, int batchBytes) {
        return new Workload(Kind.PRODUCE, partitions, acks, batchBytes, 0, 1, null);
    }

    public static Workload consume(int partitions) {
        return new Workload(Kind.CONSUME, partitions, "1", 65_536, 0, 1, null);
    }

    public static Workload endToEnd(int partitions, int ratePerSec) {
        return new Workload(Kind.END_TO_END, partitions, "all", 0, ratePerSec, 1, null);
    }

    public static Workload rebalance(String groupProtocol, int members, int partitions) {
        return new Workload(Kind.REBALANCE, partitions, "1", 0, 0, members, groupProtocol);
    }

    public static Workload shareConsume(int consumers) {
        return new Workload(Kind.SHARE_CONSUME, 1, "1", 65_536, 0, consumers, null);
    }

    /** Stable id used in the report, the JSON and topic names, e.g. {@code produce-acks1-batch64k-p8}. */
    public String id() {
        return switch (kind) {
            case PRODUCE -> "produce-acks" + acks + "-batch" + batchLabel() + "-p" + partitions;
            case CONSUME -> "consume-p" + partitions;
            case END_TO_END -> "e2e-" + (ratePerSec / 1000) + "k-per-s-p" + partitions;
            case REBALANCE -> "rebalance-" + groupProtocol + "-m" + consumers + "-p" + partitions;
            case SHARE_CONSUME -> "share-consume-c" + consumers + "-p" + partitions;
        };
    }

    /** Human label for tables and charts, e.g. {@code produce acks=all batch=64k p=8}. */
    public String label() {
        return switch (kind) {
            case PRODUCE -> "produce acks=" + acks + " batch=" + batchLabel() + " p=" + partitions;
            case CONSUME -> "consume p=" + partitions;
            case END_TO_END -> "e2e " + String.format("%,d", ratePerSec) + "/s p=" + partitions;
            case REBALANCE -> "join " + groupProtocol + " group of " + consumers + " p=" + partitions;
            case SHARE_CONSUME -> "share consume x" + consumers + " p=" + partitions;
        };
    }

    /** Whether the result is a latency only (fixed rate, or a rebalance time): its records/s is no result. */
    public boolean ratedByLatency() {
        return kind == Kind.END_TO_END || kind == Kind.REBALANCE;
    }

    private String batchLabel() {
        return batchBytes == 0 ? "default" : (batchBytes / 1024) + "k";
    }
}
