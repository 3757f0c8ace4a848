package io.pgshuttle.coordinator.deadletter;

import java.util.UUID;

/** A replay of a dead letter whose target password was removed came without one. */
public final class PasswordRequiredException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PasswordRequiredException(UUID id) {
    super(
        "dead letter "
            + id
            + " had its target password removed when it was dead-lettered: replay it with the"
            + " body {\"targetPassword\": \"...\"}");
  }
}
