package io.pgshuttle.client.internal;

import io.pgshuttle.client.Page;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Walks every item of a paged listing, fetching the page after each one by its {@code next} cursor,
 * and only when the items before are used up. Not thread-safe.
 *
 * @param <T> what is listed
 */
public final class PageIterator<T> implements Iterator<T> {
  private final Function<String, Page<T>> fetch;
  private Iterator<T> items;
  private String next;
  private boolean last;

  /**
   * @param fetch the page after a cursor; the first page for null
   */
  public PageIterator(Function<String, Page<T>> fetch) {
    this.fetch = fetch;
  }

  /** A lazy, sequential stream of every item. */
  public static <T> Stream<T> stream(Function<String, Page<T>> fetch) {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            new PageIterator<>(fetch), Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  @Override
  public boolean hasNext() {
    while (items == null || !items.hasNext()) {
      if (last) {
        return false;
      }
      Page<T> page = fetch.apply(next);
      items = page.items().iterator();
      next = page.next();
      last = next == null;
    }
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no page follows");
    }
    return items.next();
  }
}
