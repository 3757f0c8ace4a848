package io.pgshuttle.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The coordinator's registry of agents' public keys: a directory holding, per instance, {@code
 * <instance>.ed25519.pub} (verifies the agent's events) and {@code <instance>.x25519.pub} (the
 * target password is sealed for it), as {@code pgshuttle keys agent} writes them. Read on each
 * call, so that an agent's keys can be added or replaced without restarting the coordinator.
 * Thread-safe.
 */
public final class AgentKeyDirectory {
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

  private final Path directory;

  public AgentKeyDirectory(Path directory) {
    this.directory = directory;
  }

  /**
   * The registered public key of {@code algorithm} for {@code instanceId}; empty when the instance
   * has none (or its id could not name a file).
   *
   * @throws KeyFileException if the file is there but holds no such key
   */
  public Optional<PublicKey> find(String instanceId, KeyAlgorithm algorithm) {
    if (!INSTANCE_ID.matcher(instanceId).matches()) {
      return Optional.empty();
    }
    Path file = KeyFiles.publicFile(directory, instanceId, algorithm);
    return Files.exists(file)
        ? Optional.of(KeyFiles.readPublic(file, algorithm))
        : Optional.empty();
  }

  /** What to do to register {@code instanceId}'s keys, for an error message. */
  public String howToRegister(String instanceId) {
    return "register the agent's public keys: run `pgshuttle keys agent --instance "
        + instanceId
        + " --out DIR` and copy "
        + instanceId
        + ".ed25519.pub and "
        + instanceId
        + ".x25519.pub into "
        + directory
        + " (coordinator.agentKeys)";
  }
}
