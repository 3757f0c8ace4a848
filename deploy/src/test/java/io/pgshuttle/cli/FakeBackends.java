package io.pgshuttle.cli;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Backends that stay in the process: they record what the commands publish and start, and answer
 * with scripted statuses and events. For *Test classes, which do no I/O.
 */
final class FakeBackends implements Backends {
  static final String COORDINATOR_URL = "http://coordinator.test:8080";

  final List<Envelope<MigrationRequest>> published = new ArrayList<>();
  final List<ClientSettings> publishSettings = new ArrayList<>();
  final List<CoordinatorConfig> coordinatorsRun = new ArrayList<>();
  final List<AgentConfig> agentsRun = new ArrayList<>();
  final List<MigrationId> subscriptions = new ArrayList<>();
  final List<String> listQueries = new ArrayList<>();
  final LinkedBlockingQueue<Envelope<Event>> events = new LinkedBlockingQueue<>();

  /** Answers of GET /v1/migrations/{id}, in turn; the last one repeats. Empty means 404. */
  private final Deque<Optional<String>> statusAnswers = new ArrayDeque<>();

  /** The cancels asked for, as {@code <id> reason=<reason>}. */
  final List<String> cancels = new ArrayList<>();

  /** The answer of POST /v1/migrations/{id}/cancel; empty means 404. */
  Optional<String> cancelAnswer = Optional.empty();

  /** Thrown by POST /v1/migrations/{id}/cancel instead of answering, such as for a 409. */
  CliException cancelRefusal;

  /** The sweeps asked for, as {@code instance=<instance> wait=<wait>}. */
  final List<String> sweeps = new ArrayList<>();

  /** The audit queries, as {@code migration=<id> action=<action> since=<instant>}. */
  final List<String> auditQueries = new ArrayList<>();

  /** The answer of GET /v1/audit. */
  String auditAnswer = "{\"entries\": []}";

  /** The sweeps looked up by id. */
  final List<UUID> sweepLookups = new ArrayList<>();

  /** The answer of POST /v1/gc. */
  String sweepAnswer = "{}";

  /** Answers of GET /v1/gc/{id}, in turn; the last one repeats. None means 404. */
  private final Deque<String> sweepStatusAnswers = new ArrayDeque<>();

  FakeBackends answerSweepStatus(String... jsons) {
    sweepStatusAnswers.addAll(List.of(jsons));
    return this;
  }

  /** The dead-letter calls, as {@code <call> <arguments>}; a password shows as its text. */
  final List<String> deadLetterCalls = new ArrayList<>();

  /** The answer of GET /v1/dead-letters. */
  String deadLettersAnswer = "{\"deadLetters\": [], \"next\": null}";

  /** The answer of GET /v1/dead-letters/{id}, replay and drop of one; empty means 404. */
  Optional<String> deadLetterAnswer = Optional.empty();

  /** The answer of POST /v1/dead-letters/replay. */
  String bulkReplayAnswer = "{\"results\": []}";

  String listAnswer = "[]";
  CliException publishFailure;
  CliException coordinatorFailure;
  Exception daemonFailure;

  FakeBackends answerStatus(String... jsons) {
    for (String json : jsons) {
      statusAnswers.add(Optional.of(json));
    }
    return this;
  }

  FakeBackends answerNotFound() {
    statusAnswers.add(Optional.empty());
    return this;
  }

  @Override
  public RequestPublisher requestPublisher(ClientSettings settings) {
    return request -> {
      if (publishFailure != null) {
        throw publishFailure;
      }
      publishSettings.add(settings);
      published.add(request);
    };
  }

  @Override
  public CoordinatorApi coordinator(ClientSettings settings) {
    return new CoordinatorApi() {
      @Override
      public Optional<String> migration(MigrationId id) {
        if (coordinatorFailure != null) {
          throw coordinatorFailure;
        }
        if (statusAnswers.isEmpty()) {
          return Optional.empty();
        }
        return statusAnswers.size() == 1 ? statusAnswers.peek() : statusAnswers.poll();
      }

      @Override
      public EventWatch onEachEvent(MigrationId id, Runnable action) {
        // No events: the follower's polling alone drives the tests that use this fake.
        return () -> {};
      }

      @Override
      public String migrations(String state, String instance, Integer limit) {
        if (coordinatorFailure != null) {
          throw coordinatorFailure;
        }
        listQueries.add("state=" + state + " instance=" + instance + " limit=" + limit);
        return listAnswer;
      }

      @Override
      public Optional<String> cancel(MigrationId id, String reason) {
        if (coordinatorFailure != null) {
          throw coordinatorFailure;
        }
        cancels.add(id + " reason=" + reason);
        if (cancelRefusal != null) {
          throw cancelRefusal;
        }
        return cancelAnswer;
      }

      @Override
      public String sweep(String instance, Duration wait) {
        if (coordinatorFailure != null) {
          throw coordinatorFailure;
        }
        sweeps.add("instance=" + instance + " wait=" + wait);
        return sweepAnswer;
      }

      @Override
      public String audit(MigrationId migration, String action, Instant since) {
        if (coordinatorFailure != null) {
          throw coordinatorFailure;
        }
        auditQueries.add("migration=" + migration + " action=" + action + " since=" + since);
        return auditAnswer;
      }

      @Override
      public Optional<String> sweepStatus(UUID id) {
        sweepLookups.add(id);
        if (sweepStatusAnswers.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(
            sweepStatusAnswers.size() == 1 ? sweepStatusAnswers.peek() : sweepStatusAnswers.poll());
      }

      @Override
      public String deadLetters(String reason, String instance, Integer limit, String after) {
        deadLetterCalls.add(
            "list reason="
                + reason
                + " instance="
                + instance
                + " limit="
                + limit
                + " after="
                + after);
        return deadLettersAnswer;
      }

      @Override
      public Optional<String> deadLetter(UUID id) {
        deadLetterCalls.add("show " + id);
        return deadLetterAnswer;
      }

      @Override
      public Optional<String> replayDeadLetter(UUID id, Secret targetPassword) {
        deadLetterCalls.add("replay " + id + " password=" + reveal(targetPassword));
        return deadLetterAnswer;
      }

      @Override
      public String replayDeadLetters(String reason, String instance, Secret targetPassword) {
        deadLetterCalls.add(
            "replay-all reason="
                + reason
                + " instance="
                + instance
                + " password="
                + reveal(targetPassword));
        return bulkReplayAnswer;
      }

      @Override
      public Optional<String> dropDeadLetter(UUID id) {
        deadLetterCalls.add("drop " + id);
        return deadLetterAnswer;
      }

      @Override
      public String describe() {
        return COORDINATOR_URL;
      }
    };
  }

  private static String reveal(Secret password) {
    return password == null ? null : password.reveal();
  }

  @Override
  public EventFeed events(ClientSettings settings) {
    return migrationId -> {
      subscriptions.add(migrationId);
      return new EventFeed.Subscription() {
        @Override
        public Optional<Envelope<Event>> next(Duration wait) throws InterruptedException {
          return Optional.ofNullable(events.poll(wait.toMillis(), TimeUnit.MILLISECONDS));
        }

        @Override
        public void close() {}
      };
    };
  }

  @Override
  public Daemons daemons() {
    return new Daemons() {
      @Override
      public void runCoordinator(CoordinatorConfig config) throws Exception {
        coordinatorsRun.add(config);
        if (daemonFailure != null) {
          throw daemonFailure;
        }
      }

      @Override
      public void runAgent(AgentConfig config) throws Exception {
        agentsRun.add(config);
        if (daemonFailure != null) {
          throw daemonFailure;
        }
      }
    };
  }

  @Override
  public Timings timings() {
    Duration tick = Duration.ofMillis(5);
    return new Timings(
        tick, Duration.ofMillis(200), Duration.ofMillis(50), tick, tick, Duration.ofMillis(200));
  }

  @Override
  public boolean interactiveTerminal() {
    return false;
  }
}
