package io.sluice.server.group;

import io.sluice.server.group.log.GroupLog;
import io.sluice.server.group.log.GroupRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.protocol.Errors;

/**
 * A GroupLog held in a list (unit tests of the coordinator logic); can be told to fail appends, or
 * to hold them (appended, but not yet acknowledged by the ISR) until the test completes them.
 */
public final class MemoryGroupLog implements GroupLog {

    public final List<GroupRecords.Record> records = new ArrayList<>();
    public short failWith = Errors.NONE.code();
    int appends;
    boolean hold;
    final List<CompletableFuture<Short>> held = new ArrayList<>();

    @Override
    public CompletableFuture<Short> append(List<GroupRecords.Record> batch) {
        if (failWith != Errors.NONE.code()) {
            return CompletableFuture.completedFuture(failWith);
        }
        appends++;
        records.addAll(batch);
        if (hold) {
            CompletableFuture<Short> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(Errors.NONE.code());
    }

    @Override
    public void replay(Consumer<GroupRecords.Record> visitor) {
        records.forEach(visitor);
    }
}
