package io.sluice.storage.segment;

import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.agrona.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.MappedByteBuffer;

/**
 * Takes written pages of an active segment's mapping out of the process, behind a resident tail.
 *
 * <p>A writer through a shared mapping keeps every page it touched in its RSS until the mapping
 * goes, so a broker that wrote 1 GiB looks 1 GiB bigger to top, to the OOM killer's score and to
 * a container's RSS figure, while Kafka's {@code write()} leaves the same pages in the page cache
 * only. {@code madvise(MADV_DONTNEED)} on a shared file mapping drops the page-table entries and
 * nothing else: the page cache keeps the pages (dirty ones stay dirty, written back as before)
 * and a later access maps them again from the cache. The last {@link #RESIDENT_BYTES} stay mapped
 * because tailing consumers read them.
 *
 * <p>One per active segment, used under the log's lock (the appender's thread).
 */
public final class WrittenPages {
    private static final Logger LOG = LoggerFactory.getLogger(WrittenPages.class);

    /** Bytes behind the write position that stay mapped: what tailing consumers read. */
    public static final int RESIDENT_BYTES = 4 * 1024 * 1024;
    /** Pages are let go in steps of this many bytes (one madvise call per step). */
    public static final int STEP_BYTES = 1024 * 1024;

    private static final boolean AVAILABLE = probe();

    /** Everything below this position was let go at the last step. */
    private int releasedUpTo;

    /** Lets go of the pages of {@code mapping} below {@code end - RESIDENT_BYTES}, once per step. */
    void afterWrite(MappedByteBuffer mapping, int end) {
        int upTo = Math.max(0, end - RESIDENT_BYTES) & -STEP_BYTES;
        if (!AVAILABLE || upTo <= releasedUpTo) {
            return;
        }
        // From 0, not from the last step: pages a lagging reader mapped again go too.
        int rc = PosixAPI.posix().madvise(BufferUtil.address(mapping), upTo, MAdviseFlag.MADV_DONTNEED);
        if (rc != 0) {
            LOG.debug("madvise(MADV_DONTNEED) of {} bytes returned {}", upTo, rc);
        }
        releasedUpTo = upTo;
    }

    private static boolean probe() {
        try {
            PosixAPI.posix();
            return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
        } catch (Throwable t) {
            LOG.info("madvise not available ({}); written segment pages stay mapped until the segment rolls",
                    t.toString());
            return false;
        }
    }
}
