package io.sluice.metadata.image;

/**
 * Told about every applied entry, after the new image is published. Called on the single thread
 * that applies the metadata log, in log order: implementations must be quick and must not block
 * (hand work to your own thread); an exception is logged and does not stop the quorum.
 */
@FunctionalInterface
public interface MetadataListener {
    void onApplied(MetadataImage image, MetadataDelta delta);
}
