package io.sluice.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real page cache of the disk under java.io.tmpdir; skipped where page state is
 * unreadable (not root, not Linux) or the dir is a tmpfs. Kernel writeback may clean pages on its
 * own within seconds, so each check runs right after its write, and a test whose append was
 * cleaned first is skipped rather than passed.
 */
@Timeout(30)
class DirtyPagesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void requireReadablePageState() throws Exception {
        String why = DirtyPages.unavailableReason() != null ? DirtyPages.unavailableReason()
                : Files.getFileStore(dir).type() + " at " + dir;
        boolean readable = PowerLoss.Model.truestFor(dir) == PowerLoss.Model.DIRTY_PAGES;
        if (!readable) {
            System.out.println("DirtyPagesTest skipped: " + why);
        }
        assumeTrue(readable, why);
    }

    @Test
    void firstDirtyPageIsTheUnforcedAppendsNotTheForcedBytes() throws Exception {
        int pageBytes = DirtyPages.pageBytes();
        long forcedBytes = 64L * pageBytes;
        long appendedBytes = 16L * pageBytes + 100;
        Path file = dir.resolve("forced-then-appended");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, forcedBytes, (byte) 'f');
            ch.force(true);
            write(ch, appendedBytes, (byte) 'a');
        }

        long firstDirty = DirtyPages.firstDirtyPosition(file, forcedBytes + appendedBytes);

        assertThat(firstDirty).as("forced pages are clean").isGreaterThanOrEqualTo(forcedBytes);
        // Skipped, not passed, if writeback won the race: a detector that never sees dirt shows as skips.
        assumeTrue(firstDirty < forcedBytes + appendedBytes, "writeback cleaned the append before the check");
        assertThat(firstDirty).as("the append is dirty").isEqualTo(forcedBytes);
    }

    @Test
    void aForcedPageAppendedToReadsDirtyAsAWhole() throws Exception {
        int pageBytes = DirtyPages.pageBytes();
        long forcedBytes = 64L * pageBytes + 100;
        Path file = dir.resolve("forced-then-appended-in-page");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, forcedBytes, (byte) 'f');
            ch.force(true);
            write(ch, 100, (byte) 'a');
        }

        long firstDirty = DirtyPages.firstDirtyPosition(file, forcedBytes + 100);

        assertThat(firstDirty).as("whole forced pages are clean").isGreaterThanOrEqualTo(64L * pageBytes);
        assumeTrue(firstDirty < forcedBytes + 100, "writeback cleaned the append before the check");
        assertThat(firstDirty).as("the page holding the forced tail and the append").isEqualTo(64L * pageBytes);
    }

    @Test
    void forcedFileIsCleanAndTheLengthBoundsTheAnswer() throws Exception {
        int pageBytes = DirtyPages.pageBytes();
        Path file = dir.resolve("forced");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            write(ch, 8L * pageBytes + 7, (byte) 'f');
            ch.force(true);
        }

        assertThat(DirtyPages.firstDirtyPosition(file, 3L * pageBytes)).isEqualTo(3L * pageBytes);
        assertThat(DirtyPages.firstDirtyPosition(file, Long.MAX_VALUE)).as("capped at the file size")
                .isEqualTo(8L * pageBytes + 7);
    }

    private static void write(FileChannel ch, long bytes, byte value) throws Exception {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, value);
        long left = bytes;
        while (left > 0) {
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, left));
            while (b.hasRemaining()) {
                left -= ch.write(b);
            }
        }
    }
}
