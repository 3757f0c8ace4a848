package io.pgshuttle.agent.daemon;

import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.security.MessageSignature;
import io.pgshuttle.security.MessageVerifier;
import io.pgshuttle.security.SignatureRefusedException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides whether the agent may act on a command, before anything else looks at it: the command
 * must carry a valid, unexpired signature of a trusted coordinator key, be addressed to this
 * instance (in its envelope and its body), and not have been taken before with the same signature
 * (the coordinator may publish a command again, signed anew, when it could not tell that the broker
 * had it; the inbox ignores that repeat). A command it admits is recorded in {@link SeenCommands}
 * first. A refused command leaves no trace but the refusal. Thread-safe: the command and control
 * consumers may call it at once, and one check-and-record runs at a time.
 */
public final class CommandGate {
  private final String instanceId;
  private final MessageVerifier coordinator;
  private final SeenCommands seen;
  private final Clock clock;

  public CommandGate(
      String instanceId, MessageVerifier coordinator, SeenCommands seen, Clock clock) {
    this.instanceId = instanceId;
    this.coordinator = coordinator;
    this.seen = seen;
    this.clock = clock;
  }

  /**
   * Checks {@code command}, received as {@code body} with {@code headers}.
   *
   * @param redelivered the broker's redelivery flag: a command taken before and delivered again
   *     because its ack was lost is admitted again (acting on it is idempotent), not refused
   * @return the refusal to report, or empty when the agent may act on the command
   */
  public synchronized Optional<CommandRefused> admit(
      Envelope<? extends Command> command,
      byte[] body,
      Map<String, Object> headers,
      boolean redelivered) {
    MessageSignature signature;
    try {
      signature = coordinator.verify(command, body, headers, true);
    } catch (SignatureRefusedException e) {
      return Optional.of(
          refusal(command, CommandRefused.Reason.valueOf(e.reason().name()), e.getMessage()));
    }
    if (!instanceId.equals(command.instanceId())
        || !instanceId.equals(command.payload().instanceId())) {
      return Optional.of(
          refusal(
              command,
              CommandRefused.Reason.OTHER_INSTANCE,
              "addressed to instance "
                  + command.instanceId()
                  + " (body: "
                  + command.payload().instanceId()
                  + "), not "
                  + instanceId));
    }
    if (seen.takenWith(command.messageId(), signature.value())) {
      if (redelivered) {
        return Optional.empty();
      }
      return Optional.of(
          refusal(
              command,
              CommandRefused.Reason.REPLAYED,
              "message " + command.messageId() + " was taken before: a replay"));
    }
    // Taken before but signed anew: the coordinator published it again, not knowing whether the
    // broker had it, and only the coordinator can sign. No replay: the inbox ignores the repeat.
    seen.record(command.messageId(), signature.expiresAt(), signature.value(), clock.instant());
    return Optional.empty();
  }

  private static CommandRefused refusal(
      Envelope<? extends Command> command, CommandRefused.Reason reason, String detail) {
    return new CommandRefused(
        UUID.randomUUID(),
        command.messageId(),
        command.type(),
        command.migrationId(),
        command.attempt(),
        reason,
        detail);
  }
}
