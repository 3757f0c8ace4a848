package io.pgshuttle.agent;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import io.pgshuttle.agent.daemon.AgentKeys;
import io.pgshuttle.agent.daemon.AttemptCancellation;
import io.pgshuttle.agent.daemon.CommandGate;
import io.pgshuttle.agent.daemon.CommandInbox;
import io.pgshuttle.agent.daemon.EventOutbox;
import io.pgshuttle.agent.daemon.OutboxEventSink;
import io.pgshuttle.agent.daemon.OutboxRelay;
import io.pgshuttle.agent.daemon.SeenCommands;
import io.pgshuttle.agent.pipeline.AttemptJournalStore;
import io.pgshuttle.agent.pipeline.AttemptResult;
import io.pgshuttle.agent.pipeline.AttemptRunner;
import io.pgshuttle.agent.pipeline.FencingLedger;
import io.pgshuttle.agent.postgres.PgPassFile;
import io.pgshuttle.agent.postgres.PgTools;
import io.pgshuttle.agent.sweep.LeftoverSweeper;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.AmqpErrors;
import io.pgshuttle.amqp.AmqpException;
import io.pgshuttle.amqp.ConfirmingPublisher;
import io.pgshuttle.amqp.QueueConsumer;
import io.pgshuttle.amqp.TopologyDeclarer;
import io.pgshuttle.messages.AgentHeartbeat;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.CancelMigration;
import io.pgshuttle.messages.Command;
import io.pgshuttle.messages.CommandRefused;
import io.pgshuttle.messages.EndedMigration;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.SweepLeftovers;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.SealedSecretException;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent on one VM. It consumes StartMigration commands from its instance's queue one at a time
 * (prefetch 1), acks each once it is recorded in the on-disk inbox, and runs the attempts on a
 * single worker thread; it refuses repeated and stale commands, heartbeats while busy, and takes
 * cancels from its control queue. Every command must pass the {@link CommandGate} first (signed by
 * a trusted coordinator key, unexpired, for this instance, not seen before); one that does not is
 * acked, logged and reported in a {@link CommandRefused} event, and nothing else happens. The
 * target password is unsealed with the agent's key in memory, just before the attempt runs. Events
 * go through the on-disk {@link EventOutbox}, so a broker outage delays them but loses none. On
 * start it publishes the events a predecessor left and rolls back what it left running. It sweeps
 * leftovers (see {@link LeftoverSweeper}) on a thread of its own: the disks of ended attempts at
 * start and every {@code sweepInterval}, reported only when it met any, and what the coordinator
 * asks for in a SweepLeftovers from the control queue, always reported.
 *
 * <p>{@link #start()} and {@link #close()} may be called from any thread, once each.
 */
public final class AgentDaemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);

  private final AgentConfig config;
  private final Topology topology;
  private final MessageCodec codec;
  private final AttemptRunner runner;
  private final FencingLedger fencing;
  private final AttemptJournalStore journals;
  private final LeftoverSweeper sweeper;
  private final Clock clock;
  private final EventOutbox outbox;
  private final OutboxRelay relay;
  private final Timer attemptDurations;
  private final Meter attemptsSucceeded;
  private final Meter attemptsFailed;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(daemonThreads("pgshuttle-attempt"));
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(daemonThreads("pgshuttle-heartbeat"));
  private final ScheduledExecutorService sweeps =
      Executors.newSingleThreadScheduledExecutor(daemonThreads("pgshuttle-sweep"));
  private final Map<MigrationId, AttemptCancellation> cancellations = new ConcurrentHashMap<>();
  private volatile OutboxEventSink runningSink;
  private CommandInbox inbox;
  private AgentKeys keys;
  private CommandGate gate;
  private Connection connection;
  private ConfirmingPublisher publisher;
  private QueueConsumer commands;
  private QueueConsumer control;

  @Inject
  AgentDaemon(
      AgentConfig config,
      MessageCodec codec,
      AttemptRunner runner,
      FencingLedger fencing,
      AttemptJournalStore journals,
      LeftoverSweeper sweeper,
      Clock clock,
      EventOutbox outbox,
      OutboxRelay relay,
      MetricRegistry metrics) {
    this.config = config;
    this.topology = config.topology();
    this.codec = codec;
    this.runner = runner;
    this.fencing = fencing;
    this.journals = journals;
    this.sweeper = sweeper;
    this.clock = clock;
    this.outbox = outbox;
    this.relay = relay;
    this.attemptDurations = metrics.timer("pgshuttle.agent.attempts.duration");
    this.attemptsSucceeded = metrics.meter("pgshuttle.agent.attempts.succeeded");
    this.attemptsFailed = metrics.meter("pgshuttle.agent.attempts.failed");
  }

  /**
   * Connects (waiting up to a minute for the broker), starts publishing the event outbox, declares
   * this instance's queues unless they exist, rolls back leftovers of a killed predecessor, then
   * starts taking commands.
   *
   * @throws IllegalStateException if the configuration has problems, listing each
   * @throws io.pgshuttle.security.KeyFileException if a key file cannot be read, naming it
   * @throws io.pgshuttle.amqp.AmqpException if the broker cannot be reached
   */
  public synchronized void start() throws IOException {
    var problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalStateException("agent configuration: " + String.join("; ", problems));
    }
    keys = AgentKeys.load(config, clock);
    gate =
        new CommandGate(
            config.instanceId(), keys.coordinator(), new SeenCommands(config.stateDir()), clock);
    inbox = new CommandInbox(config.stateDir(), codec);
    PgPassFile.deleteLeftovers(PgTools.passFileDirectory(config.stateDir()));
    AmqpConnector connector = new AmqpConnector(config.amqpUri(), CONNECT_TIMEOUT);
    connection = connector.connect("pgshuttle-agent-" + config.instanceId());
    // The broker checks the user-id against the connection's user: the coordinator knows by it
    // which agent published an event.
    publisher = new ConfirmingPublisher(connection, codec, CONFIRM_TIMEOUT, connector.user());
    relay.start(publisher, keys.events());
    declareQueuesUnlessMade();
    recoverLeftovers();
    // Should the broker delete a queue, the consumer waits for it to be made again.
    QueueConsumer.QueueSetup queuesMade = channel -> declareQueuesUnlessMade();
    commands =
        QueueConsumer.start(
            connection,
            topology.agentQueue(config.instanceId()),
            1,
            "pgshuttle-agent-commands",
            queuesMade,
            this::takeCommand,
            QueueConsumer.FIRST_RETRY);
    control =
        QueueConsumer.start(
            connection,
            topology.agentControlQueue(config.instanceId()),
            0,
            "pgshuttle-agent-control",
            queuesMade,
            this::takeControl,
            QueueConsumer.FIRST_RETRY);
    long interval = config.heartbeatInterval().toMillis();
    heartbeats.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    // The first sweep runs now: after the recovery above, which released what it could.
    sweeps.scheduleWithFixedDelay(
        this::sweepDisks, 0, config.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "agent for instance {} consuming {} on {}",
        config.instanceId(),
        topology.agentQueue(config.instanceId()),
        topology.namespace());
  }

  /**
   * Declares this instance's queues when they do not exist yet. In production they do: {@code
   * pgshuttle broker add-agent} made them, and the agent's broker user may not configure anything.
   */
  private void declareQueuesUnlessMade() throws IOException {
    TopologyDeclarer declarer = new TopologyDeclarer(topology);
    if (declarer.agentQueuesExist(connection, config.instanceId())) {
      return;
    }
    try (Channel declaring = connection.createChannel()) {
      declarer.declareAgent(declaring, config.instanceId());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("timed out declaring the agent's queues", e);
    } catch (IOException e) {
      if (AmqpErrors.replyCode(e) == AmqpErrors.ACCESS_REFUSED) {
        throw new AmqpException(
            "the queues of instance "
                + config.instanceId()
                + " do not exist and its broker user may not declare them: create them with"
                + " pgshuttle broker add-agent --instance "
                + config.instanceId(),
            e);
      }
      throw e;
    }
  }

  private void recoverLeftovers() {
    runner.recover(command -> sinkFor(command.migrationId(), command.attempt()));
    for (var command : inbox.unfinished()) {
      if (journals.find(command.migrationId(), command.attempt()).isEmpty()) {
        // Acked, but the agent died before the attempt began: nothing to roll back, but the
        // coordinator must hear of it to start the next attempt.
        sinkFor(command.migrationId(), command.attempt())
            .emit(
                new AttemptFailed(
                    null,
                    "the agent restarted before attempt " + command.attempt() + " began",
                    true,
                    List.of()));
      }
      inbox.markDone(command);
    }
  }

  private OutboxEventSink sinkFor(MigrationId migrationId, int attempt) {
    return new OutboxEventSink(outbox, relay, config.instanceId(), migrationId, attempt, clock);
  }

  private void heartbeat() {
    OutboxEventSink sink = runningSink;
    if (sink != null) {
      sink.emit(new AgentHeartbeat(sink.currentStep()));
    }
  }

  private void run(Envelope<StartMigration> command, AttemptCancellation cancellation) {
    OutboxEventSink sink = sinkFor(command.migrationId(), command.attempt());
    runningSink = sink;
    try (Timer.Context timing = attemptDurations.time()) {
      AttemptResult result = runner.run(withPassword(command), sink, cancellation);
      (result.succeeded() ? attemptsSucceeded : attemptsFailed).mark();
    } catch (SealedSecretException e) {
      attemptsFailed.mark();
      log.error("attempt {} of {} cannot run: {}", command.attempt(), command.migrationId(), e);
      sink.emit(new AttemptFailed(null, e.getMessage(), false, List.of()));
    } catch (RuntimeException e) {
      attemptsFailed.mark();
      log.error("attempt {} of {} crashed", command.attempt(), command.migrationId(), e);
      sink.emit(new AttemptFailed(null, "agent error: " + e, true, List.of()));
    } finally {
      runningSink = null;
      cancellations.remove(command.migrationId(), cancellation);
      inbox.markDone(command);
    }
  }

  private Envelope<StartMigration> withPassword(Envelope<StartMigration> command) {
    return command.withPayload(keys.unsealed(command.payload()));
  }

  /**
   * Whether {@code command} may be acted on; if not, the refusal is logged and reported, and the
   * caller only acks it.
   */
  private boolean admitted(Envelope<? extends Command> command, Delivery delivery) {
    var refusal =
        gate.admit(
            command,
            delivery.getBody(),
            delivery.getProperties().getHeaders(),
            delivery.getEnvelope().isRedeliver());
    if (refusal.isEmpty()) {
      return true;
    }
    CommandRefused refused = refusal.get();
    log.warn("refused {}", refused.describe());
    sinkFor(refused.envelopeId(), 0).emit(refused);
    return false;
  }

  /** The periodic sweep, reported only when it met something. */
  private void sweepDisks() {
    try {
      LeftoversSwept report = sweeper.sweepDisks();
      if (!report.isEmpty()) {
        sinkFor(report.envelopeId(), 0).emit(report);
      }
    } catch (RuntimeException e) {
      // Thrown out of here, it would end the schedule.
      log.error("the periodic sweep of leftovers failed", e);
    }
  }

  /** A sweep the coordinator asked for; its report is always sent, since it waits for it. */
  private void sweep(SweepLeftovers command) {
    LeftoversSwept report;
    try {
      report = sweeper.sweep(command.sweepId(), command.migrations());
    } catch (RuntimeException e) {
      log.error("sweep {} failed", command.sweepId(), e);
      List<Leftover> failed = new ArrayList<>();
      for (EndedMigration migration : command.migrations()) {
        failed.add(
            new Leftover(
                Leftover.Kind.MIGRATION,
                migration.migrationId().toString(),
                migration.migrationId(),
                "the sweep failed, see the agent's log: " + e));
      }
      report = new LeftoversSwept(command.sweepId(), List.of(), failed, List.of());
    }
    sinkFor(report.envelopeId(), 0).emit(report);
  }

  /** Reports an attempt whose cancel arrived first as failed for good, without running it. */
  private void refuseCancelled(Envelope<StartMigration> command, String reason) {
    log.info(
        "refused attempt {} of {}: it was cancelled before its command arrived",
        command.attempt(),
        command.migrationId());
    sinkFor(command.migrationId(), command.attempt())
        .emit(
            new AttemptFailed(
                null,
                "migration cancelled before attempt "
                    + command.attempt()
                    + " started"
                    + (reason.isBlank() ? "" : ": " + reason),
                false,
                List.of()));
    inbox.markDone(command);
  }

  private void takeCommand(Channel channel, Delivery delivery) throws IOException {
    long tag = delivery.getEnvelope().getDeliveryTag();
    Envelope<StartMigration> command;
    try {
      command = codec.decode(delivery.getBody(), StartMigration.class);
    } catch (MessageDecodingException e) {
      log.error("dropped an unreadable command: {}", e.getMessage());
      channel.basicReject(tag, false);
      return;
    }
    if (!admitted(command, delivery)) {
      log.debug("nothing done for refused command {}", command.messageId());
    } else if (!command.payload().problems().isEmpty()) {
      log.error(
          "refused invalid command {} for migration {}: {}",
          command.messageId(),
          command.migrationId(),
          String.join("; ", command.payload().problems()));
    } else if (fencing.isStale(command)) {
      log.warn(
          "refused a stale command for attempt {} of {}: a later dispatch was seen",
          command.attempt(),
          command.migrationId());
    } else if (inbox.contains(command)) {
      log.info(
          "ignored a repeated command for attempt {} of {}",
          command.attempt(),
          command.migrationId());
    } else {
      fencing.record(command);
      inbox.accept(command);
      var cancelledEarlier = inbox.cancelled(command);
      if (cancelledEarlier.isPresent()) {
        refuseCancelled(command, cancelledEarlier.get());
      } else {
        AttemptCancellation cancellation = new AttemptCancellation();
        AttemptCancellation superseded = cancellations.put(command.migrationId(), cancellation);
        if (superseded != null) {
          // The coordinator gave up on the earlier attempt (its agent seemed silent) and
          // dispatched this one: the earlier must roll back rather than run on, or its success
          // would make this one fail on databases that exist.
          superseded.cancel(
              "superseded by attempt " + command.attempt() + " of the migration", true);
        }
        worker.execute(() -> run(command, cancellation));
      }
    }
    // Acked only once recorded: a long pg_dump must not hold the delivery past the broker's
    // consumer timeout.
    channel.basicAck(tag, false);
  }

  private void takeControl(Channel channel, Delivery delivery) throws IOException {
    long tag = delivery.getEnvelope().getDeliveryTag();
    try {
      var message = codec.decode(delivery.getBody(), Command.class);
      if (!admitted(message, delivery)) {
        log.debug("nothing done for refused control message {}", message.messageId());
      } else if (message.payload() instanceof CancelMigration cancel) {
        AttemptCancellation cancellation = cancellations.get(message.migrationId());
        if (cancellation == null) {
          // The command may still be on its way (or this agent was restarting): remember the
          // cancel so that the attempt is refused when it comes.
          log.info(
              "cancel for attempt {} of {} before its command: it will be refused",
              message.attempt(),
              message.migrationId());
          inbox.recordCancel(message.migrationId(), message.attempt(), cancel.reason());
        } else {
          log.info("cancelling migration {}: {}", message.migrationId(), cancel.reason());
          cancellation.cancel(cancel.reason(), false);
        }
      } else if (message.payload() instanceof SweepLeftovers sweep) {
        takeSweep(sweep);
      } else {
        log.warn("ignored a {} on the control queue", message.type());
      }
    } catch (MessageDecodingException e) {
      log.error("dropped an unreadable control message: {}", e.getMessage());
    }
    channel.basicAck(tag, false);
  }

  private void takeSweep(SweepLeftovers sweep) {
    log.info(
        "sweep {} requested: leftovers of {} ended migrations, and disks",
        sweep.sweepId(),
        sweep.migrations().size());
    try {
      sweeps.execute(() -> sweep(keys.unsealed(sweep)));
    } catch (RejectedExecutionException e) {
      log.warn("dropped sweep {}: the agent is stopping", sweep.sweepId());
    }
  }

  /**
   * Stops taking commands, stops a running attempt (it rolls back and is reported retryable, so the
   * coordinator tries again), gives the event outbox a few seconds to publish what waits (the rest
   * stays on disk for the next start), and closes the connection. Idempotent.
   */
  @Override
  public synchronized void close() {
    // First, so that no command comes while the attempt rolls back; what is unacked goes back.
    closeQuietly(commands);
    closeQuietly(control);
    heartbeats.shutdownNow();
    for (AttemptCancellation cancellation : cancellations.values()) {
      cancellation.cancel("the agent is shutting down", true);
    }
    worker.shutdown();
    awaitStopped(worker, Duration.ofMinutes(2), "the running attempt did not roll back");
    // A sweep cut short is harmless: each removal is idempotent, and the next sweep goes on.
    sweeps.shutdownNow();
    awaitStopped(sweeps, Duration.ofSeconds(30), "the running sweep did not stop");
    relay.close();
    if (publisher != null) {
      publisher.close();
    }
    if (connection != null && connection.isOpen()) {
      try {
        connection.close();
      } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
        log.debug("closing the broker connection: {}", e.toString());
      }
    }
  }

  private static void closeQuietly(QueueConsumer consumer) {
    if (consumer != null) {
      consumer.close();
    }
  }

  private static void awaitStopped(ExecutorService executor, Duration wait, String otherwise) {
    try {
      if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} within {} s", otherwise, wait.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
