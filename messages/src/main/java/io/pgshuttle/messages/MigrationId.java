package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * Identifies a migration. It is derived from the request's requestId, so a requester knows it
 * before the coordinator answers and a repeated request names the same migration.
 */
public record MigrationId(UUID value) {

  public MigrationId {
    Objects.requireNonNull(value, "value");
  }

  /** The migration that the request with this requestId starts. */
  public static MigrationId forRequest(String requestId) {
    return new MigrationId(
        UUID.nameUUIDFromBytes(("pgshuttle:" + requestId).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException if {@code text} is not a UUID
   */
  @JsonCreator
  public static MigrationId parse(String text) {
    return new MigrationId(UUID.fromString(text));
  }

  @JsonValue
  @Override
  public String toString() {
    return value.toString();
  }
}
