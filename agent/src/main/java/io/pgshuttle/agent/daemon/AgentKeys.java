package io.pgshuttle.agent.daemon;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.TargetServer;
import io.pgshuttle.security.EventMacKey;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageVerifier;
import io.pgshuttle.security.SecretSealer;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;

/**
 * An agent's keys, read from the files its configuration names: its X25519 pair opens the passwords
 * sealed for it and, with the coordinator's X25519 public key, agrees the key its events are MACed
 * with; the coordinator's Ed25519 public keys (one, or two during a rotation) verify commands.
 * Immutable, thread-safe.
 */
public final class AgentKeys {
  private final EventMacKey events;
  private final KeyPair sealing;
  private final MessageVerifier coordinator;

  private AgentKeys(EventMacKey events, KeyPair sealing, MessageVerifier coordinator) {
    this.events = events;
    this.sealing = sealing;
    this.coordinator = coordinator;
  }

  /**
   * Reads the keys {@code config} names.
   *
   * @throws io.pgshuttle.security.KeyFileException naming a file that cannot be read
   */
  public static AgentKeys load(AgentConfig config, Clock clock) {
    KeyPair sealing = KeyFiles.readKeyPair(config.sealingKey(), KeyAlgorithm.X25519);
    return new AgentKeys(
        EventMacKey.forAgent(
            sealing,
            KeyFiles.readPublic(config.coordinatorEventKey(), KeyAlgorithm.X25519),
            config.instanceId()),
        sealing,
        new MessageVerifier(
            config.coordinatorKeys().stream()
                .map(file -> KeyFiles.readPublic(file, KeyAlgorithm.ED25519))
                .toList(),
            clock));
  }

  /** MACs this agent's events. */
  public EventMacKey events() {
    return events;
  }

  /** Verifies the coordinator's commands. */
  public MessageVerifier coordinator() {
    return coordinator;
  }

  /**
   * {@code command} with its target password unsealed, in memory only.
   *
   * @throws io.pgshuttle.security.SealedSecretException if it was sealed for another key or altered
   */
  public StartMigration unsealed(StartMigration command) {
    return command.withTarget(unsealed(command.target()));
  }

  /**
   * {@code sweep} with each target's password unsealed; a target whose password cannot be opened
   * goes without one (its leftovers on the target are then reported not removed).
   */
  public SweepLeftovers unsealed(SweepLeftovers sweep) {
    List<EndedMigration> migrations =
        sweep.migrations().stream()
            .map(ended -> new EndedMigration(ended.migrationId(), unsealedOrNone(ended.target())))
            .toList();
    return new SweepLeftovers(sweep.instanceId(), sweep.sweepId(), migrations);
  }

  private TargetServer unsealed(TargetServer target) {
    return target.sealedPassword() == null
        ? target
        : target.withPassword(SecretSealer.unseal(target.sealedPassword(), sealing));
  }

  private TargetServer unsealedOrNone(TargetServer target) {
    try {
      return unsealed(target);
    } catch (io.pgshuttle.security.SealedSecretException e) {
      return target.withoutPassword();
    }
  }
}
