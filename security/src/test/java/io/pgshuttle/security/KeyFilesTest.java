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

    KeyFiles.writeKeyPair(privateFile, pair);
    KeyFiles.writePublic(publicFile, pair.getPublic());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n");
    KeyPair read = KeyFiles.readKeyPair(privateFile, KeyAlgorithm.ED25519);
    assertThat(read.getPrivate().getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(read.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(KeyId.of(KeyFiles.readPublic(publicFile, KeyAlgorithm.ED25519)))
        .isEqualTo(KeyId.of(pair.getPublic()));
  }

  @Test
  void aKeyIsNeverOverwritten() {
    Path file = directory.resolve("a.key");
    KeyFiles.writeKeyPair(file, KeyAlgorithm.X25519.generate());

    assertThatThrownBy(() -> KeyFiles.writeKeyPair(file, KeyAlgorithm.X25519.generate()))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("never overwrites");
  }

  @Test
  void aPrivateKeyReadableByOthersIsRefused() throws Exception {
    Path file = directory.resolve("a.key");
    KeyFiles.writeKeyPair(file, KeyAlgorithm.ED25519.generate());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> KeyFiles.readKeyPair(file, KeyAlgorithm.ED25519))
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
