package io.sluice.metadata.image;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map split into {@value #SHARDS} hash shards, so that a copy-on-write change copies
 * one shard (size/256 entries) and the shard array instead of the whole map: with 100,000 topics a
 * topic change copies ~400 entries, not 100,000. Reads are a shard index plus a HashMap lookup.
 * Immutable and thread-safe once built; {@link Draft} is the single-threaded builder.
 */
final class ShardedMap<K, V> extends AbstractMap<K, V> {
    static final int SHARDS = 256;
    @SuppressWarnings("rawtypes")
    private static final ShardedMap EMPTY = new ShardedMap<>(new HashMap[SHARDS], 0);

    private final HashMap<K, V>[] shards;
    private final int size;
    private Set<Entry<K, V>> entrySet;

    private ShardedMap(HashMap<K, V>[] shards, int size) {
        this.shards = shards;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <K, V> ShardedMap<K, V> empty() {
        return (ShardedMap<K, V>) EMPTY;
    }

    static <K, V> ShardedMap<K, V> copyOf(Map<K, V> m) {
        if (m instanceof ShardedMap<K, V> s) {
            return s;
        }
        Draft<K, V> d = new Draft<>(empty());
        m.forEach(d::put);
        return d.build();
    }

    private static int shard(Object key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        return h & (SHARDS - 1);
    }

    @Override
    public V get(Object key) {
        HashMap<K, V> s = shards[shard(key)];
        return s == null ? null : s.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        HashMap<K, V> s = shards[shard(key)];
        return s != null && s.containsKey(key);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        Set<Entry<K, V>> es = entrySet;
        if (es == null) {
            es = new AbstractSet<>() {
                @Override
                public Iterator<Entry<K, V>> iterator() {
                    return new EntryIterator();
                }

                @Override
                public int size() {
                    return size;
                }
            };
            entrySet = es;
        }
        return es;
    }

    private final class EntryIterator implements Iterator<Entry<K, V>> {
        private int shard = -1;
        private Iterator<Entry<K, V>> current;

        @Override
        public boolean hasNext() {
            while (current == null || !current.hasNext()) {
                if (++shard >= SHARDS) {
                    return false;
                }
                HashMap<K, V> s = shards[shard];
                current = s == null ? null : s.entrySet().iterator();
            }
            return true;
        }

        @Override
        public Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Entry<K, V> e = current.next();
            return new SimpleImmutableEntry<>(e.getKey(), e.getValue());
        }
    }

    /** Copy-on-write builder: copies the shard array once and each touched shard once. Not thread-safe. */
    static final class Draft<K, V> {
        private final ShardedMap<K, V> base;
        private HashMap<K, V>[] shards;
        private boolean[] owned;
        private int size;

        Draft(ShardedMap<K, V> base) {
            this.base = base;
            this.size = base.size;
        }

        V get(Object key) {
            return shards == null ? base.get(key) : lookup(key);
        }

        private V lookup(Object key) {
            HashMap<K, V> s = shards[shard(key)];
            return s == null ? null : s.get(key);
        }

        private HashMap<K, V> writable(Object key) {
            if (shards == null) {
                shards = base.shards.clone();
                owned = new boolean[SHARDS];
            }
            int i = shard(key);
            if (!owned[i]) {
                shards[i] = shards[i] == null ? new HashMap<>() : new HashMap<>(shards[i]);
                owned[i] = true;
            }
            return shards[i];
        }

        void put(K key, V value) {
            if (writable(key).put(key, value) == null) {
                size++;
            }
        }

        void remove(Object key) {
            if (get(key) != null && writable(key).remove(key) != null) {
                size--;
            }
        }

        /**
         * The map as built so far (the base if nothing changed). Later writes copy their shard
         * again, so a built map never changes.
         */
        ShardedMap<K, V> build() {
            if (shards == null) {
                return base;
            }
            Arrays.fill(owned, false);
            return new ShardedMap<>(shards.clone(), size);
        }
    }
}
