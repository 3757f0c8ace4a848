package io.pgshuttle.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The coordinator's registry of agents' public keys: a directory holding, per instance, {@code
 * <instance>.x25519.pub}, for which the target password is sealed and with which the key of the
 * instance's event MACs is agreed, as {@code pgshuttle keys agent} writes it. Read on each call, so
 * that an agent's key can be added or replaced without restarting the coordinator; {@link #version}
 * tells cheaply whether a key file changed since it was read. Thread-safe.
 */
public final class AgentKeyDirectory {
  private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

  /**
   * What tells one content of a key file from another without reading it: its file (inode), size
   * and last change. A file replaced by a move or written over in place shows another version.
   */
  public record Version(Object fileKey, long size, FileTime modified) {}

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

  /**
   * The version of {@code instanceId}'s key file of {@code algorithm}; empty when there is none.
   * Read it before {@link #find}: a key replaced in between then shows as changed at the next look.
   *
   * @throws KeyFileException if the file is there but cannot be examined
   */
  public Optional<Version> version(String instanceId, KeyAlgorithm algorithm) {
    if (!INSTANCE_ID.matcher(instanceId).matches()) {
      return Optional.empty();
    }
    Path file = KeyFiles.publicFile(directory, instanceId, algorithm);
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(
          new Version(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new KeyFileException("cannot examine the public key file " + file + ": " + e, e);
    }
  }

  /** What to do to register {@code instanceId}'s key, for an error message. */
  public String howToRegister(String instanceId) {
    return "register the agent's public key: run `pgshuttle keys agent --instance "
        + instanceId
        + " --out DIR` and copy "
        + instanceId
        + ".x25519.pub into "
        + directory
        + " (coordinator.agentKeys)";
  }
}
