package dev.tally.ingest;

import java.util.BitSet;

/**
 * The keys written into a ledger that held nothing else, as a Bloom filter: a key it never saw is
 * certainly not stored and needs no lookup; one it may have seen (or, rarely, that only shares its
 * bits) is looked up. It takes 1 MB whatever the count: a set of the keys themselves kept ~120
 * bytes a key alive for the whole of a first scan.
 */
final class WrittenKeys {
  private static final int BITS = 1 << 23; // 1 MB: ~0.5% of unknown keys looked up in vain at LIMIT keys
  private static final int HASHES = 3;
  /** Past this many keys the filter answers "maybe" too often to be worth it. */
  static final int LIMIT = 500_000;

  private final BitSet bits = new BitSet(BITS);
  private int count;

  void add(String key) {
    for (int i = 0; i < HASHES; i++) {
      bits.set(bit(key, i));
    }
    count++;
  }

  boolean mightContain(String key) {
    for (int i = 0; i < HASHES; i++) {
      if (!bits.get(bit(key, i))) {
        return false;
      }
    }
    return true;
  }

  /** The key's i-th bit: its hash plus i steps of a second hash (String caches its hash code). */
  private static int bit(String key, int i) {
    int h = key.hashCode();
    return (h + i * mix(h)) & (BITS - 1);
  }

  boolean full() {
    return count > LIMIT;
  }

  /** A second, independent-looking hash (murmur3's finalizer), odd so that the probes differ. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h | 1;
  }
}
