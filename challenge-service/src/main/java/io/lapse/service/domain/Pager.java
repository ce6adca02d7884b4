package io.lapse.service.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Cuts one page out of a sorted list. Without a token the page number is an offset; with one, the
 * page continues after (or ends before) the token's item, so following {@code next_page_url} never
 * skips or repeats an item while the list changes.
 */
public final class Pager {
  /** One page: the items, and whether the list goes on after it. */
  public record Page<T>(List<T> items, boolean hasNext) {}

  private Pager() {}

  /**
   * @param keys every item's key, in ascending order
   * @param descending whether the list is shown newest first
   * @param load the item of a key (empty if it vanished meanwhile)
   * @param filter which items the list shows
   */
  public static <T> Page<T> page(
      NavigableSet<SortKey> keys,
      boolean descending,
      Function<SortKey, Optional<T>> load,
      Predicate<T> filter,
      PageRequest request) {
    NavigableSet<SortKey> ordered = descending ? keys.descendingSet() : keys;
    int size = request.pageSize();
    if (request.token().isPresent() && !request.token().get().after()) {
      // A previous page: the last `size` matches before the token, walking backwards.
      SortKey before = request.token().get().key();
      Deque<T> items = new ArrayDeque<>();
      Iterator<SortKey> it = ordered.headSet(before, false).descendingIterator();
      while (it.hasNext() && items.size() < size) {
        load.apply(it.next()).filter(filter).ifPresent(items::addFirst);
      }
      return new Page<>(new ArrayList<>(items), true);
    }
    Iterator<SortKey> it =
        request.token().isPresent()
            ? ordered.tailSet(request.token().get().key(), false).iterator()
            : ordered.iterator();
    long skip = request.token().isPresent() ? 0 : (long) request.page() * size;
    List<T> items = new ArrayList<>(Math.min(size, 64));
    while (it.hasNext()) {
      Optional<T> item = load.apply(it.next()).filter(filter);
      if (item.isEmpty()) {
        continue;
      }
      if (skip > 0) {
        skip--;
      } else if (items.size() < size) {
        items.add(item.get());
      } else {
        return new Page<>(items, true);
      }
    }
    return new Page<>(items, false);
  }
}
