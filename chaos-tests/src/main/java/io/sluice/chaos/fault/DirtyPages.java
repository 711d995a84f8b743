package io.sluice.chaos.fault;

import java.io.EOFException;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which pages of a file the kernel holds dirty or under writeback: the bytes a power cut at this
 * instant would lose, since a clean page-cache page matches the disk. Read from the kernel's own
 * page state (Linux, root): the file is mapped read-only and every page touched (a read maps the
 * page-cache page without dirtying it), {@code /proc/self/pagemap} gives each virtual page's frame
 * and {@code /proc/kpageflags} that frame's flags. A page a broker wrote through its own shared
 * mapping is marked dirty at its first write after a writeback (the kernel write-protects clean
 * pages), so this holds for memory-mapped logs as well as for write(2).
 *
 * <p>Dirtiness is per page (per folio, where the page cache uses large folios): a page forced and
 * then appended to reads dirty as a whole, so the forced bytes in it are not told apart from the
 * new ones. tmpfs pages are never written back and read dirty forever: do not ask about tmpfs.
 *
 * <p>Layouts (64-bit little-endian entries, {@code man 5 proc}):
 * <pre>
 *   pagemap, one per virtual page:     63       62..55   54 ........................... 0
 *                                      present  other    page frame number (0 if not root)
 *   kpageflags, one per frame:         ... 8 WRITEBACK ... 4 DIRTY ...
 * </pre>
 *
 * <p>Stateless and thread-safe; a call maps one window of one file at a time and unmaps it
 * before the next.
 */
public final class DirtyPages {
    private static final Logger LOG = LoggerFactory.getLogger(DirtyPages.class);
    private static final Path PAGEMAP = Path.of("/proc/self/pagemap");
    private static final Path KPAGEFLAGS = Path.of("/proc/kpageflags");
    private static final int ENTRY_BYTES = 8;
    private static final long PRESENT_BIT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;
    private static final long KPF_DIRTY = 1L << 4;
    private static final long KPF_WRITEBACK = 1L << 8;
    /** Bounds the address space mapped at once and the pagemap read (8 bytes a page: 32 KiB). */
    private static final long WINDOW_BYTES = 16L << 20;
    /** Bounds one kpageflags read over a run of consecutive frames. */
    private static final int FRAME_RUN_MAX = 512;

    private DirtyPages() { }

    /** Why page state cannot be read here (not Linux, not root, JVM flags missing), or null if it can. */
    public static String unavailableReason() {
        return Probe.UNAVAILABLE_REASON;
    }

    static int pageBytes() {
        return UnsafeApi.pageSize();
    }

    /**
     * Position of the first page among the first {@code lengthBytes} of {@code file} that the kernel
     * holds dirty or under writeback, or {@code lengthBytes} (capped at the file size) if there is
     * none. The file must not be written meanwhile (its writer is dead).
     */
    public static long firstDirtyPosition(Path file, long lengthBytes) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("kernel page state unreadable: " + reason);
        }
        try (FileChannel data = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ);
             FileChannel kpageflags = FileChannel.open(KPAGEFLAGS, StandardOpenOption.READ)) {
            long length = Math.min(lengthBytes, data.size());
            // Windows start at multiples of the page size, so each mapping starts on a page boundary.
            for (long windowStart = 0; windowStart < length; windowStart += WINDOW_BYTES) {
                MappedByteBuffer window = data.map(FileChannel.MapMode.READ_ONLY, windowStart,
                        Math.min(WINDOW_BYTES, length - windowStart));
                try {
                    long dirtyOffset = firstDirtyOffset(window, pagemap, kpageflags);
                    if (dirtyOffset >= 0) {
                        return windowStart + dirtyOffset;
                    }
                } finally {
                    IoUtil.unmap(window);
                }
            }
            return length;
        }
    }

    /** Offset in {@code window} of its first dirty or writeback page, or -1. */
    private static long firstDirtyOffset(MappedByteBuffer window, FileChannel pagemap, FileChannel kpageflags)
            throws IOException {
        int pageBytes = pageBytes();
        window.load();
        long[] entries = pagemapEntries(pagemap, BufferUtil.address(window), window.capacity(), pageBytes);
        ByteBuffer flags = ByteBuffer.allocate(FRAME_RUN_MAX * ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int page = 0;
        while (page < entries.length) {
            if ((entries[page] & PRESENT_BIT) == 0) {
                // Reclaimed since load(): reclaim takes only clean pages (dirty ones are written first).
                page++;
                continue;
            }
            long firstFrame = entries[page] & PFN_MASK;
            int run = 1;
            while (page + run < entries.length && run < FRAME_RUN_MAX
                    && (entries[page + run] & PRESENT_BIT) != 0
                    && (entries[page + run] & PFN_MASK) == firstFrame + run) {
                run++;
            }
            flags.clear().limit(run * ENTRY_BYTES);
            readFully(kpageflags, flags, firstFrame * ENTRY_BYTES);
            for (int i = 0; i < run; i++) {
                if ((flags.getLong(i * ENTRY_BYTES) & (KPF_DIRTY | KPF_WRITEBACK)) != 0) {
                    return (long) (page + i) * pageBytes;
                }
            }
            page += run;
        }
        return -1;
    }

    private static long[] pagemapEntries(FileChannel pagemap, long address, long lengthBytes, int pageBytes)
            throws IOException {
        int pages = (int) ((lengthBytes + pageBytes - 1) / pageBytes);
        ByteBuffer raw = ByteBuffer.allocate(pages * ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(pagemap, raw, address / pageBytes * ENTRY_BYTES);
        long[] entries = new long[pages];
        raw.flip().asLongBuffer().get(entries);
        return entries;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at);
            if (n < 0) {
                throw new EOFException("short read of " + dst.remaining() + " bytes at " + at);
            }
            at += n;
        }
    }

    /** Probed once, on first use. */
    private static final class Probe {
        static final String UNAVAILABLE_REASON = probe();

        static {
            if (UNAVAILABLE_REASON != null) {
                LOG.warn("kernel page state unreadable ({}); power loss cuts to the recovery-point checkpoint",
                        UNAVAILABLE_REASON);
            }
        }
    }

    /**
     * Null if a touched page of our own shows a present, non-zero frame whose flags can be read;
     * the kernel reports frame 0 to processes without CAP_SYS_ADMIN.
     */
    private static String probe() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "not Linux";
        }
        if (!Files.isReadable(PAGEMAP) || !Files.isReadable(KPAGEFLAGS)) {
            return PAGEMAP + " or " + KPAGEFLAGS + " not readable (needs root)";
        }
        try (FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ);
             FileChannel kpageflags = FileChannel.open(KPAGEFLAGS, StandardOpenOption.READ)) {
            int pageBytes = pageBytes();
            ByteBuffer page = ByteBuffer.allocateDirect(2 * pageBytes);
            long address = BufferUtil.address(page);
            long pageStart = (address + pageBytes - 1) / pageBytes * pageBytes;
            page.put((int) (pageStart - address), (byte) 1);
            long entry = pagemapEntries(pagemap, pageStart, 1, pageBytes)[0];
            Reference.reachabilityFence(page);
            long frame = entry & PFN_MASK;
            if ((entry & PRESENT_BIT) == 0 || frame == 0) {
                return "page frame numbers hidden in " + PAGEMAP + " (needs root)";
            }
            readFully(kpageflags, ByteBuffer.allocate(ENTRY_BYTES), frame * ENTRY_BYTES);
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            // LinkageError: Agrona's address and unmap need the JVM flags of config/jvm-flags.properties.
            return e.toString();
        }
    }
}
