package io.sluice.metadata.statemachine;

import io.sluice.metadata.codec.BufferReader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** The derived offsets of {@link EntryDescriptor} land where {@code wrap} writes and the diagram draws. */
class EntryDescriptorTest {
    @Test
    void fieldsSitAtTheirOffsets() {
        byte[] command = {7, 8, 9};
        byte[] entry = EntryDescriptor.wrap(1234L, -5L, 9000, command);
        ByteBuffer b = ByteBuffer.wrap(entry);

        assertThat(EntryDescriptor.COMMAND_OFFSET).as("header length in the diagram").isEqualTo(21);
        assertThat(entry).hasSize(EntryDescriptor.COMMAND_OFFSET + command.length);
        assertThat(b.get(EntryDescriptor.VERSION_OFFSET)).isEqualTo(EntryDescriptor.VERSION);
        assertThat(b.getLong(EntryDescriptor.LEADER_TIME_OFFSET)).isEqualTo(1234L);
        assertThat(b.getLong(EntryDescriptor.SEED_OFFSET)).isEqualTo(-5L);
        assertThat(b.getInt(EntryDescriptor.SESSION_TIMEOUT_OFFSET)).isEqualTo(9000);
        assertThat(b.get(EntryDescriptor.COMMAND_OFFSET)).isEqualTo((byte) 7);

        BufferReader r = new BufferReader(entry);
        assertThat(EntryDescriptor.readHeader(r)).isEqualTo(new EntryDescriptor.Header(1234L, -5L, 9000));
        assertThat(r.position()).as("reader left at the command").isEqualTo(EntryDescriptor.COMMAND_OFFSET);
    }
}
