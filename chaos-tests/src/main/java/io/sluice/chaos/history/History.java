package io.sluice.chaos.history;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The append-only record of everything clients and the nemesis did in one schedule. Thread-safe:
 * every worker appends concurrently; appends are serialised so the index is a total order that
 * respects real time (an op completed before another was invoked has a smaller index).
 */
public final class History {
    private final List<Op> ops = new ArrayList<>();
    private final LongSupplier nanoClock;
    private final long startNanos;

    public History(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    public History() {
        this(System::nanoTime);
    }

    public synchronized Op add(OpType type, OpKind kind, String process, String node, String topic, int partition,
                               long offset, String value, List<Read> reads, String error) {
        Op op = new Op(ops.size(), type, kind, process, node, nanoClock.getAsLong() - startNanos, topic, partition,
                offset, value, reads, error);
        ops.add(op);
        return op;
    }

    public Op invokeSend(String process, String node, String topic, int partition, String value) {
        return add(OpType.INVOKE, OpKind.SEND, process, node, topic, partition, -1, value, null, null);
    }

    public Op completeSend(OpType type, String process, String node, String topic, int partition, long offset,
                           String value, String error) {
        return add(type, OpKind.SEND, process, node, topic, partition, offset, value, null, error);
    }

    public Op nemesis(OpType type, String node, String fault) {
        return add(type, OpKind.FAULT, "nemesis", node, null, -1, -1, fault, null, null);
    }

    /** A copy of the ops recorded so far, in index order. */
    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized int size() {
        return ops.size();
    }

    /** Writes one op per line; the file a failing schedule leaves behind for a human to read. */
    public void writeTo(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Op op : ops()) {
                w.write(op.toString());
                w.write('\n');
            }
        }
    }
}
