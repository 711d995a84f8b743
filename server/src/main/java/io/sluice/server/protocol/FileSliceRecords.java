package io.sluice.server.protocol;

import io.sluice.storage.log.FileSlice;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * A fetch response's record set as a range of a segment file: {@link ByteBufWritable} turns it
 * into a Netty file region, which the epoll transport sends with {@code sendfile} (Kafka's
 * {@code FileRecords}, the same idea). Sizes only; the bytes never pass through the JVM.
 */
public record FileSliceRecords(FileSlice slice) implements BaseRecords {

    @Override
    public int sizeInBytes() {
        return slice.sizeInBytes();
    }

    /** Kafka's own network layer is not used: {@link KafkaCodec} encodes responses. */
    @Override
    public RecordsSend<? extends BaseRecords> toSend() {
        throw new UnsupportedOperationException("encoded by KafkaCodec, not sent through Kafka's network layer");
    }
}
