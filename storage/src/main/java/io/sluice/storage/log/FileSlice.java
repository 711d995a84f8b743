package io.sluice.storage.log;

import java.nio.channels.FileChannel;

/**
 * The bytes of a read as a range of the segment file, for {@code sendfile}: the kernel copies them
 * from the page cache to the socket without the broker mapping or copying them.
 *
 * @param channel     the segment file, opened for this read; closed with the {@link LogReadResult}
 *                    (closing it earlier, as Netty's file region does once sent, is harmless)
 * @param position    byte position of the first batch in the file
 * @param sizeInBytes length of the range, whole batches
 */
public record FileSlice(FileChannel channel, long position, int sizeInBytes) {
}
