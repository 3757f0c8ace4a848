package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's directory of agents' public keys, in a temporary directory. */
class AgentKeyDirectoryTest {
  @TempDir Path directory;

  @Test
  void findsAnInstancesKeysByNameAndSeesAKeyReplacedWithoutReopening() throws Exception {
    AgentKeyDirectory agents = new AgentKeyDirectory(directory);
    KeyPair first = KeyFiles.generate(directory, "vm-1", KeyAlgorithm.X25519);

    assertThat(agents.find("vm-1", KeyAlgorithm.X25519)).contains(first.getPublic());
    assertThat(agents.find("vm-1", KeyAlgorithm.ED25519)).isEmpty();
    assertThat(agents.find("vm-2", KeyAlgorithm.X25519)).isEmpty();

    KeyPair second = KeyAlgorithm.X25519.generate();
    Files.delete(KeyFiles.publicFile(directory, "vm-1", KeyAlgorithm.X25519));
    KeyFiles.writePublic(
        KeyFiles.publicFile(directory, "vm-1", KeyAlgorithm.X25519), second.getPublic());
    assertThat(agents.find("vm-1", KeyAlgorithm.X25519)).contains(second.getPublic());
  }

  @Test
  void aKeyFileMovedOverOrWrittenOverLaterShowsAnotherVersion() throws Exception {
    AgentKeyDirectory agents = new AgentKeyDirectory(directory);
    assertThat(agents.version("vm-1", KeyAlgorithm.X25519)).isEmpty();
    KeyFiles.generate(directory, "vm-1", KeyAlgorithm.X25519);
    Path file = KeyFiles.publicFile(directory, "vm-1", KeyAlgorithm.X25519);
    var first = agents.version("vm-1", KeyAlgorithm.X25519).orElseThrow();
    assertThat(agents.version("vm-1", KeyAlgorithm.X25519)).contains(first);

    // Another key of the same size, written over the file in place a minute later.
    Files.writeString(file, KeyFiles.toPem(KeyAlgorithm.X25519.generate().getPublic()));
    Files.setLastModifiedTime(file, FileTime.fromMillis(first.modified().toMillis() + 60_000));
    var second = agents.version("vm-1", KeyAlgorithm.X25519).orElseThrow();
    assertThat(second).isNotEqualTo(first);

    // A new file moved over it: another file, whatever its time.
    Path staged = Files.createTempDirectory(directory, "staged").resolve("key.pub");
    KeyFiles.writePublic(staged, KeyAlgorithm.X25519.generate().getPublic());
    Files.setLastModifiedTime(staged, second.modified());
    Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING);
    assertThat(agents.version("vm-1", KeyAlgorithm.X25519)).get().isNotEqualTo(second);
    assertThat(agents.version("../vm-1", KeyAlgorithm.X25519)).isEmpty();
  }

  @Test
  void anInstanceIdThatCouldLeaveTheDirectoryFindsNothing() throws Exception {
    Path inside = Files.createDirectories(directory.resolve("keys"));
    KeyFiles.generate(directory, "outside", KeyAlgorithm.ED25519);
    AgentKeyDirectory agents = new AgentKeyDirectory(inside);

    assertThat(agents.find("../outside", KeyAlgorithm.ED25519)).isEmpty();
    assertThat(agents.find("", KeyAlgorithm.ED25519)).isEmpty();
  }

  @Test
  void aFileThatHoldsNoSuchKeyIsAnErrorNamingIt() throws Exception {
    AgentKeyDirectory agents = new AgentKeyDirectory(directory);
    Path file = KeyFiles.publicFile(directory, "vm-3", KeyAlgorithm.ED25519);
    Files.writeString(file, "not a key");

    assertThatThrownBy(() -> agents.find("vm-3", KeyAlgorithm.ED25519))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining(file.toString());
    assertThat(agents.howToRegister("vm-3"))
        .contains("pgshuttle keys agent --instance vm-3")
        .contains("vm-3.x25519.pub")
        .contains(directory.toString());
  }
}
