package io.sluice.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .lock} file of every log dir a {@link LogManager} owns: an exclusive OS file lock, so a
 * second broker (or a second LogManager in one process) on the same dir fails at start instead of
 * writing over the first one's logs. Held from start to close or crash.
 *
 * <p>Locking runs on the starting thread and release on the closing one; not shared beyond that.
 */
final class LogDirLocks {

    private static final Logger LOG = LoggerFactory.getLogger(LogDirLocks.class);

    private final List<FileLock> locks = new ArrayList<>();

    /** Takes {@code logDir}'s lock, or fails if another process holds it. */
    void lock(Path logDir) throws IOException {
        FileChannel ch = FileChannel.open(logDir.resolve(LogManager.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw new IOException("log dir " + logDir + " is locked by another process");
        }
        locks.add(lock);
    }

    /** Releases every lock taken (a failure is logged: the process is stopping anyway). */
    void releaseAll() {
        for (FileLock lock : locks) {
            try {
                lock.release();
                lock.channel().close();
            } catch (IOException e) {
                LOG.warn("releasing log dir lock failed: {}", e.toString());
            }
        }
        locks.clear();
    }
}
