package io.pgshuttle.client;

/** The page size the coordinator accepts, checked before a request goes out. */
final class Pages {
  static final int MAX_LIMIT = 1000;

  private Pages() {}

  static void checkLimit(Integer limit) {
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "limit must be 1 to " + MAX_LIMIT + " (or null for the default), not " + limit);
    }
  }
}
