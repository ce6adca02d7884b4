package io.lapse.service.domain;

import java.time.Instant;
import java.util.Comparator;

/**
 * The order of every list: creation time, then SID. Page tokens carry one, so a page boundary stays
 * put while items are added or removed elsewhere in the list.
 */
public record SortKey(long createdAtMillis, String sid) implements Comparable<SortKey> {
  private static final Comparator<SortKey> ORDER =
      Comparator.comparingLong(SortKey::createdAtMillis).thenComparing(SortKey::sid);

  public static SortKey of(Instant createdAt, String sid) {
    return new SortKey(createdAt.toEpochMilli(), sid);
  }

  @Override
  public int compareTo(SortKey o) {
    return ORDER.compare(this, o);
  }
}
