package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.CoordinatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A usable coordinator configuration whose broker and store nothing in a unit test reaches. */
final class OfflineConfig {
  private OfflineConfig() {}

  static CoordinatorConfig withTokens(List<ApiToken> tokens) {
    return new CoordinatorConfig(
        "amqp://guest:guest@127.0.0.1:1/%2f",
        "pgshuttle",
        "jdbc:postgresql://127.0.0.1:1/store",
        "pgshuttle",
        null,
        0,
        Duration.ofMinutes(2),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        Duration.ofHours(1),
        tokens,
        Path.of("/etc/pgshuttle/keys/coordinator.ed25519.key"),
        List.of(Path.of("/etc/pgshuttle/keys/coordinator.x25519.key")),
        Path.of("/etc/pgshuttle/agent-keys"),
        Duration.ofHours(1),
        null);
  }
}
