package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.KeyId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgshuttle keys}, in process, writing into a temporary directory. */
class KeysCommandTest {
  @TempDir Path directory;
  private final FakeBackends backends = new FakeBackends();

  @Test
  void makesTheCoordinatorsKeyPairAndPrintsItsPublicKeyAndId() throws Exception {
    CliRun run =
        CliRun.run(Map.of(), backends, "keys", "coordinator", "--out", directory.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    Path pair = directory.resolve("coordinator.ed25519.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pair)))
        .isEqualTo("rw-------");
    var key =
        KeyFiles.readPublic(directory.resolve("coordinator.ed25519.pub"), KeyAlgorithm.ED25519);
    assertThat(KeyFiles.readKeyPair(pair, KeyAlgorithm.ED25519).getPublic()).isEqualTo(key);
    assertThat(run.out())
        .contains("Ed25519 key " + KeyId.of(key))
        .contains(KeyFiles.toPem(key))
        .doesNotContain("PRIVATE KEY");
  }

  @Test
  void makesAnAgentsTwoKeyPairsAndNeverOverwritesThem() throws Exception {
    CliRun first =
        CliRun.run(
            Map.of(),
            backends,
            "keys",
            "agent",
            "--instance",
            "vm-7",
            "--out",
            directory.toString());
    String before = Files.readString(directory.resolve("vm-7.x25519.key"));

    CliRun second =
        CliRun.run(
            Map.of(),
            backends,
            "keys",
            "agent",
            "--instance",
            "vm-7",
            "--out",
            directory.toString());

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out()).contains("Ed25519 key ").contains("X25519 key ");
    assertThat(directory.resolve("vm-7.ed25519.pub")).exists();
    assertThat(second.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(second.err()).contains("exists: move it away first");
    assertThat(Files.readString(directory.resolve("vm-7.x25519.key"))).isEqualTo(before);
  }

  @Test
  void refusesAnInvalidInstanceIdWritingNothing() throws Exception {
    CliRun run =
        CliRun.run(
            Map.of(),
            backends,
            "keys",
            "agent",
            "--instance",
            "../x",
            "--out",
            directory.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--instance '../x' is invalid");
    try (var files = Files.list(directory)) {
      assertThat(files).isEmpty();
    }
  }
}
