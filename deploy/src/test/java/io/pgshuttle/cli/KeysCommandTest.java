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
  void makesTheCoordinatorsTwoKeyPairsAndPrintsTheirPublicKeysAndIds() throws Exception {
    CliRun run =
        CliRun.run(Map.of(), backends, "keys", "coordinator", "--out", directory.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    for (KeyAlgorithm algorithm : KeyAlgorithm.values()) {
      Path pair = directory.resolve("coordinator." + algorithm.suffix() + ".key");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pair)))
          .isEqualTo("rw-------");
      var key =
          KeyFiles.readPublic(
              directory.resolve("coordinator." + algorithm.suffix() + ".pub"), algorithm);
      assertThat(KeyFiles.readKeyPair(pair, algorithm).getPublic()).isEqualTo(key);
      assertThat(run.out())
          .contains(algorithm.jcaName() + " key " + KeyId.of(key))
          .contains(KeyFiles.toPem(key));
    }
    assertThat(run.out()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void aCoordinatorWithOnlyItsSigningKeyGetsItsEventKeyAndAWholePairIsNeverOverwritten()
      throws Exception {
    var signing = KeyFiles.generate(directory, "coordinator", KeyAlgorithm.ED25519);
    String before = Files.readString(directory.resolve("coordinator.ed25519.key"));

    CliRun upgrade =
        CliRun.run(Map.of(), backends, "keys", "coordinator", "--out", directory.toString());
    String events = Files.readString(directory.resolve("coordinator.x25519.key"));
    CliRun again =
        CliRun.run(Map.of(), backends, "keys", "coordinator", "--out", directory.toString());

    assertThat(upgrade.exitCode()).as(upgrade.err()).isZero();
    assertThat(upgrade.out())
        .contains("kept the existing Ed25519 key " + KeyId.of(signing.getPublic()))
        .contains("X25519 key ");
    assertThat(Files.readString(directory.resolve("coordinator.ed25519.key"))).isEqualTo(before);
    assertThat(again.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(again.err()).contains("exist: move them away first");
    assertThat(Files.readString(directory.resolve("coordinator.x25519.key"))).isEqualTo(events);
  }

  @Test
  void makesAnAgentsKeyPairAndNeverOverwritesIt() throws Exception {
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
    assertThat(first.out()).contains("X25519 key ").doesNotContain("Ed25519");
    assertThat(directory.resolve("vm-7.x25519.pub")).exists();
    assertThat(directory.resolve("vm-7.ed25519.key")).doesNotExist();
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
