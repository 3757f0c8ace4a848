package io.pgshuttle.coordinator.http;

import io.pgshuttle.messages.Secret;
import java.util.Objects;

/**
 * A bearer token the HTTP API accepts. Immutable.
 *
 * @param name who holds it: shown in logs and recorded as who did what; never null
 * @param scope what it may do; never null
 * @param token the secret a client sends as {@code Authorization: Bearer <token>}; never null
 */
public record ApiToken(String name, Scope scope, Secret token) {
  /** Tokens shorter than this are refused: they could be guessed. */
  public static final int MIN_TOKEN_LENGTH = 16;

  public ApiToken {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(token, "token");
  }
}
