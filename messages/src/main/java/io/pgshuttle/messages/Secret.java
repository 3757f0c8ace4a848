package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A value that must never be printed: {@link #toString()} redacts it, so it cannot leak through
 * logs, exceptions or string concatenation. Only {@link #reveal()} gives the value, for the one
 * place that hands it to PostgreSQL (a JDBC property or a 0600 passfile, never a process argument).
 */
public final class Secret {
  private static final String REDACTED = "******";
  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /** Wraps {@code value}, which must not be null. */
  @JsonCreator
  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The clear value. Call only where it is handed to PostgreSQL. */
  @JsonValue
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return REDACTED;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
