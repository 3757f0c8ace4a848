package io.pgshuttle.agent;

import io.pgshuttle.messages.SealedSecret;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageSigner;
import io.pgshuttle.security.SecretSealer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;

/**
 * The keys of an agent test in one directory, made on first use and read back after: the
 * coordinator's Ed25519 pair (the test signs commands with it, as the coordinator does) and X25519
 * pair (its public key is the agent's coordinatorEventKey), and the agent's X25519 pair. Immutable.
 */
public final class TestKeys {
  /** The instance name the agent's key files carry; any name works for the agent itself. */
  private static final String AGENT = "agent";

  private static final String COORDINATOR = "coordinator";

  private final Path directory;
  private final KeyPair coordinator;
  private final KeyPair agentSealing;

  private TestKeys(Path directory) {
    this.directory = directory;
    this.coordinator = pair(directory, COORDINATOR, KeyAlgorithm.ED25519);
    pair(directory, COORDINATOR, KeyAlgorithm.X25519);
    this.agentSealing = pair(directory, AGENT, KeyAlgorithm.X25519);
  }

  /** The keys in {@code directory}, made if missing. */
  public static TestKeys in(Path directory) {
    return new TestKeys(directory);
  }

  private static KeyPair pair(Path directory, String name, KeyAlgorithm algorithm) {
    Path file = KeyFiles.privateFile(directory, name, algorithm);
    return Files.exists(file)
        ? KeyFiles.readKeyPair(file, algorithm)
        : KeyFiles.generate(directory, name, algorithm);
  }

  /** The coordinator's key pair. */
  public KeyPair coordinatorKey() {
    return coordinator;
  }

  /** Another coordinator key pair beside the first, named {@code name}, made if missing. */
  public KeyPair coordinatorKey(String name) {
    return pair(directory, name, KeyAlgorithm.ED25519);
  }

  /** The public key file of a coordinator key made by {@link #coordinatorKey(String)}. */
  public Path coordinatorPublicFile(String name) {
    return KeyFiles.publicFile(directory, name, KeyAlgorithm.ED25519);
  }

  /** The public key file of the coordinator's key. */
  public Path coordinatorPublicFile() {
    return coordinatorPublicFile(COORDINATOR);
  }

  /** The public key file of the coordinator's X25519 key, which agrees the agent's event key. */
  public Path coordinatorEventPublicFile() {
    return KeyFiles.publicFile(directory, COORDINATOR, KeyAlgorithm.X25519);
  }

  public Path agentSealingKey() {
    return KeyFiles.privateFile(directory, AGENT, KeyAlgorithm.X25519);
  }

  /** Signs as the coordinator does. */
  public MessageSigner coordinatorSigner() {
    return signer(coordinator);
  }

  /** Signs with {@code keys}, for one hour. */
  public static MessageSigner signer(KeyPair keys) {
    return new MessageSigner(keys, Clock.systemUTC(), Duration.ofHours(1));
  }

  /** {@code password} sealed for the agent, as the coordinator seals it. */
  public SealedSecret seal(Secret password) {
    return new SecretSealer().seal(password, agentSealing.getPublic());
  }

  /** The agent's X25519 public key, for which the coordinator seals passwords. */
  public PublicKey agentSealingPublic() {
    return agentSealing.getPublic();
  }
}
