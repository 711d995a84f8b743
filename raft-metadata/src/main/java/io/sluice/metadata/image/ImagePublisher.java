package io.sluice.metadata.image;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Holds the latest image of one node and tells listeners and offset waiters about each new one.
 * Owned by the node ({@code node.QuorumNode}); shared by whatever applies entries on it (the Ratis
 * state machine on a voter, the {@code client.MetadataFollower} on a broker) and by its client,
 * which is why it lives with the image and not with either of them.
 * Thread-safe: {@link #publish} is called by the single applying thread; {@link #image()} is a
 * volatile read from any thread.
 */
public final class ImagePublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ImagePublisher.class);

    private volatile MetadataImage image;
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final TreeMap<Long, List<CompletableFuture<MetadataImage>>> waiters = new TreeMap<>();

    public ImagePublisher(MetadataImage initial) {
        this.image = initial;
    }

    public MetadataImage image() {
        return image;
    }

    public void subscribe(MetadataListener l) {
        listeners.add(l);
    }

    public void unsubscribe(MetadataListener l) {
        listeners.remove(l);
    }

    /** Publishes the next image, then notifies listeners in order, then completes offset waiters. */
    public void publish(MetadataImage next, MetadataDelta delta) {
        image = next;
        for (MetadataListener l : listeners) {
            try {
                l.onApplied(next, delta);
            } catch (RuntimeException e) {
                LOG.error("metadata listener {} failed at offset {}", l, next.offset(), e);
            }
        }
        List<CompletableFuture<MetadataImage>> ready = new ArrayList<>();
        synchronized (waiters) {
            Map<Long, List<CompletableFuture<MetadataImage>>> head = waiters.headMap(next.offset(), true);
            head.values().forEach(ready::addAll);
            head.clear();
        }
        ready.forEach(f -> f.complete(next));
    }

    /** Completes when an image at or past {@code offset} is published. */
    public CompletableFuture<MetadataImage> awaitOffset(long offset) {
        MetadataImage now = image;
        if (now.offset() >= offset) {
            return CompletableFuture.completedFuture(now);
        }
        CompletableFuture<MetadataImage> f = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.computeIfAbsent(offset, k -> new ArrayList<>()).add(f);
        }
        // Re-check: an image may have been published between the first read and registration.
        MetadataImage again = image;
        if (again.offset() >= offset) {
            f.complete(again);
        }
        return f;
    }
}
