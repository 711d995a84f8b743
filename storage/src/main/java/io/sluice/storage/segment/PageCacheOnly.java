package io.sluice.storage.segment;

import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.agrona.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Takes pages of a segment mapping out of this process while leaving them in the page cache:
 * {@code madvise(MADV_DONTNEED)} on a shared file mapping drops the page-table entries and nothing
 * else (dirty pages stay dirty and are written back as before; a later access maps them again
 * from the cache). Pages touched through a mapping count in the broker's RSS, and so in top, the
 * OOM killer's score and a container's RSS figure, until the mapping goes; Kafka's
 * {@code write()}/{@code sendfile()} leave the same pages in the page cache only.
 *
 * <p>A no-op where madvise is not available. Stateless, thread-safe.
 */
public final class PageCacheOnly {
    private static final Logger LOG = LoggerFactory.getLogger(PageCacheOnly.class);

    static final int PAGE_BYTES = 4096;
    private static final boolean AVAILABLE = probe();

    private PageCacheOnly() {
    }

    /** The whole pages inside a slice of a mapping ({@code position} to {@code limit}). */
    public static void dontNeed(ByteBuffer mapped) {
        long from = BufferUtil.address(mapped) + mapped.position();
        long to = from + mapped.remaining();
        long firstPage = (from + PAGE_BYTES - 1) & -PAGE_BYTES;
        long endPage = to & -PAGE_BYTES;
        if (endPage > firstPage) {
            dontNeed(firstPage, endPage - firstPage);
        }
    }

    /** {@code address} must be page-aligned. */
    static void dontNeed(long address, long length) {
        if (!AVAILABLE) {
            return;
        }
        int rc = PosixAPI.posix().madvise(address, length, MAdviseFlag.MADV_DONTNEED);
        if (rc != 0) {
            LOG.debug("madvise(MADV_DONTNEED) of {} bytes returned {}", length, rc);
        }
    }

    private static boolean probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return false;
        }
        try {
            PosixAPI.posix();
            return true;
        } catch (Throwable t) {
            LOG.info("madvise not available ({}); segment pages stay mapped until their mapping goes", t.toString());
            return false;
        }
    }
}
