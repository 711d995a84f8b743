package io.sluice.server.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which record slices are paged in off the event loop. */
@Timeout(20)
class ColdReadTest {

    @Test
    void sliceOfUntouchedSparseMappingIsColdAndLoadedSliceIsNot(@TempDir Path dir) throws Exception {
        int size = 4 * FetchHandler.COLD_CHECK_MIN_BYTES;
        try (FileChannel ch = FileChannel.open(dir.resolve("seg"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.write(ByteBuffer.wrap(new byte[] {1}), size - 1);
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            ByteBuffer slice = map.slice(0, 2 * FetchHandler.COLD_CHECK_MIN_BYTES).asReadOnlyBuffer();
            assertThat(slice).isInstanceOf(MappedByteBuffer.class);
            assertThat(FetchHandler.isCold(slice)).as("pages of a hole are not resident").isTrue();
            ((MappedByteBuffer) slice).load();
            assertThat(FetchHandler.isCold(slice)).as("after load").isFalse();
            assertThat(FetchHandler.isCold(map.slice(size - 100, 100))).as("small slices are not checked").isFalse();
            assertThat(FetchHandler.isCold(ByteBuffer.allocateDirect(FetchHandler.COLD_CHECK_MIN_BYTES))).isFalse();
        }
    }
}
