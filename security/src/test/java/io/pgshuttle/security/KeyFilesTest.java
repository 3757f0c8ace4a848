package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads and writes key files in a temporary directory: files only, no network or database. */
class KeyFilesTest {
  @TempDir Path directory;

  @Test
  void keysRoundTripThroughPemFilesAndThePrivateFileIsOwnerOnly() throws Exception {
    KeyPair pair = KeyAlgorithm.ED25519.generate();
    Path privateFile = directory.resolve("keys/coordinator.ed25519.key");
    Path publicFile = directory.resolve("keys/coordinator.ed25519.pub");

    KeyFiles.writePrivate(privateFile, pair.getPrivate());
    KeyFiles.writePublic(publicFile, pair.getPublic());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(KeyFiles.readPrivate(privateFile, KeyAlgorithm.ED25519).getEncoded())
        .isEqualTo(pair.getPrivate().getEncoded());
    assertThat(KeyId.of(KeyFiles.readPublic(publicFile, KeyAlgorithm.ED25519)))
        .isEqualTo(KeyId.of(pair.getPublic()));
  }

  @Test
  void aKeyIsNeverOverwritten() {
    Path file = directory.resolve("a.key");
    KeyFiles.writePrivate(file, KeyAlgorithm.X25519.generate().getPrivate());

    assertThatThrownBy(
            () -> KeyFiles.writePrivate(file, KeyAlgorithm.X25519.generate().getPrivate()))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("never overwrites");
  }

  @Test
  void aPrivateKeyReadableByOthersIsRefused() throws Exception {
    Path file = directory.resolve("a.key");
    KeyFiles.writePrivate(file, KeyAlgorithm.ED25519.generate().getPrivate());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> KeyFiles.readPrivate(file, KeyAlgorithm.ED25519))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("chmod 600");
  }

  @Test
  void aKeyOfTheWrongAlgorithmOrKindIsRefusedNamingTheFile() {
    Path file = directory.resolve("agent.x25519.pub");
    KeyFiles.writePublic(file, KeyAlgorithm.X25519.generate().getPublic());

    assertThatThrownBy(() -> KeyFiles.readPublic(file, KeyAlgorithm.ED25519))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not an Ed25519 public key");
    assertThatThrownBy(
            () -> KeyFiles.readPublic(directory.resolve("missing.pub"), KeyAlgorithm.X25519))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("missing.pub");
  }
}
