package io.sluice.metadata.client;

import io.sluice.metadata.command.RegisterBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The broker epoch of this directory's last registration, in a file locked for as long as the broker
 * runs. The lock is what makes the stored epoch proof of succession: while one process holds it no
 * other can read the epoch, so a registration that names it comes from the process that took over
 * the previous incarnation's directory (which therefore is gone). A file another process holds, or
 * one that cannot be read, yields {@link RegisterBroker#NO_PREVIOUS_EPOCH}: the new registration then
 * waits for the old session to expire, as without this file. Thread-safe.
 */
public final class BrokerEpochFile implements AutoCloseable {
    public static final String FILE_NAME = "broker-epoch";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerEpochFile.class);
    private static final int BYTES_MAX = 32;

    private final Path path;
    private final FileChannel channel;
    private final long previous;

    private BrokerEpochFile(Path path, FileChannel channel, long previous) {
        this.path = path;
        this.channel = channel;
        this.previous = previous;
    }

    /** Opens and locks {@code dir/broker-epoch}; never throws (a file it cannot use is logged and ignored). */
    public static BrokerEpochFile open(Path dir) {
        Path path = dir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock(); // held until the channel closes
            if (lock == null) {
                throw new IOException("another process holds its lock");
            }
            return new BrokerEpochFile(path, channel, read(path, channel));
        } catch (IOException | OverlappingFileLockException e) {
            LOG.warn("broker epoch file {} not used ({}): a restart waits for the old session to expire", path,
                e.toString());
            closeQuietly(channel);
            return new BrokerEpochFile(path, null, RegisterBroker.NO_PREVIOUS_EPOCH);
        }
    }

    private static long read(Path path, FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BYTES_MAX);
        while (buf.hasRemaining() && channel.read(buf, buf.position()) > 0) {
            // a few bytes: loop until EOF or full
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        try {
            return text.isEmpty() ? RegisterBroker.NO_PREVIOUS_EPOCH : Long.parseLong(text);
        } catch (NumberFormatException e) {
            LOG.warn("broker epoch file {} holds no epoch ({}); it will be overwritten", path, e.getMessage());
            return RegisterBroker.NO_PREVIOUS_EPOCH;
        }
    }

    /** The epoch the previous incarnation in this directory registered with, or -1. */
    public long previous() {
        return previous;
    }

    /** Stores a new registration's epoch (forced to disk) for the next incarnation. */
    public synchronized void record(long brokerEpoch) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        try {
            byte[] bytes = (brokerEpoch + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(bytes), 0);
            channel.force(true);
        } catch (IOException e) {
            LOG.warn("could not store broker epoch {} in {}: {}", brokerEpoch, path, e.toString());
        }
    }

    /** Closing the channel releases the lock. */
    @Override
    public synchronized void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing broker epoch file", e);
            }
        }
    }
}
