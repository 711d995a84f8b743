package io.sluice.replication.fetcher;

import java.net.InetSocketAddress;
import java.util.Optional;

/** Where a broker's inter-broker listener is, from the metadata image; empty if unknown or fenced. */
@FunctionalInterface
public interface LeaderAddresses {
    Optional<InetSocketAddress> of(int brokerId);
}
