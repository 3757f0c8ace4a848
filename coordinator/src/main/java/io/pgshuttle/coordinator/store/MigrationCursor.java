package io.pgshuttle.coordinator.store;

import io.pgshuttle.coordinator.status.MigrationStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page of migrations ended: the next page starts after this migration in the list's order
 * (newest first, then by id). Immutable.
 *
 * @param createdAt the last listed migration's creation time, to the microsecond
 * @param migrationId the last listed migration's id
 */
public record MigrationCursor(Instant createdAt, UUID migrationId) {
  private static final String VERSION = "1";

  /** The cursor after {@code last}. */
  public static MigrationCursor after(MigrationStatus last) {
    return new MigrationCursor(last.createdAt(), last.migrationId().value());
  }

  /** The opaque text a client sends back as {@code after}. */
  public String encode() {
    String plain =
        VERSION + ":" + ChronoUnit.MICROS.between(Instant.EPOCH, createdAt) + ":" + migrationId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException if {@code text} is not one
   */
  public static MigrationCursor decode(String text) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":", -1);
      if (parts.length != 3 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("unknown cursor layout");
      }
      return new MigrationCursor(
          Instant.EPOCH.plus(Long.parseLong(parts[1]), ChronoUnit.MICROS),
          UUID.fromString(parts[2]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a cursor: pass the 'next' of the page before as it was", e);
    }
  }
}
