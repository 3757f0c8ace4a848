package io.pgshuttle.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of a listing, newest first. Immutable.
 *
 * @param items never null, unmodifiable
 * @param next the opaque cursor of the following page; null on the last page
 * @param <T> what is listed
 */
public record Page<T>(List<T> items, String next) {
  public Page {
    items = items == null ? List.of() : List.copyOf(items);
  }

  /** The cursor of the following page; empty on the last page. */
  public Optional<String> nextCursor() {
    return Optional.ofNullable(next);
  }
}
