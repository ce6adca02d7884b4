package io.lapse.service.domain;

import java.util.function.Supplier;

/**
 * Serializes work per key on this instance with a fixed set of locks: work on one key never runs
 * concurrently, work on different keys rarely waits (only when their keys share a stripe), and
 * memory stays bounded whatever the number of keys.
 */
final class StripedLocks {
  private final Object[] stripes;

  StripedLocks(int count) {
    stripes = new Object[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new Object();
    }
  }

  /** Runs {@code work} holding the lock of {@code key}'s stripe. */
  <T> T withLock(String key, Supplier<T> work) {
    synchronized (stripes[Math.floorMod(key.hashCode(), stripes.length)]) {
      return work.get();
    }
  }
}
