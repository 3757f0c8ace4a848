package io.pgshuttle.e2e;

/** Closing what a test class started, in order, whatever of it was started. */
final class Closing {
  private Closing() {}

  /**
   * Closes each of {@code resources} that is not null, in the order given, all of them even if one
   * fails; the first failure is thrown at the end with the others suppressed.
   */
  static void all(AutoCloseable... resources) {
    RuntimeException failure = null;
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("cannot close " + resource, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
