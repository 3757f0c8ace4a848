package io.pgshuttle.coordinator.http;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What an API token may do. Written in lower case in configuration ({@code read}, {@code operate}).
 */
public enum Scope {
  /** Every GET, the event streams and {@code /metrics}. */
  READ,
  /** Everything {@link #READ} may, plus submit, cancel, gc and dead-letter replay or drop. */
  OPERATE;

  /** Whether a token of this scope may call an endpoint that needs {@code required}. */
  public boolean covers(Scope required) {
    return compareTo(required) >= 0;
  }

  /** The name as configured. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope configured as {@code text} (any case); empty if there is none such. */
  public static Optional<Scope> parse(String text) {
    return Arrays.stream(values())
        .filter(scope -> scope.wireName().equalsIgnoreCase(text))
        .findFirst();
  }
}
