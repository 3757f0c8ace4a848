package io.pgshuttle.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.ConnectionFactory;
import io.pgshuttle.client.internal.AmqpSubscription;
import io.pgshuttle.client.internal.Answers;
import io.pgshuttle.client.internal.CoordinatorCalls;
import io.pgshuttle.client.internal.HttpCall;
import io.pgshuttle.client.internal.HttpTransport;
import io.pgshuttle.client.internal.JdkHttpTransport;
import io.pgshuttle.client.internal.PageIterator;
import io.pgshuttle.client.internal.SseEventStream;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The client of one pgshuttle installation: its coordinator's HTTP API and, for {@link #subscribe},
 * its RabbitMQ broker. Create one with {@link #builder()} and share it: it is immutable and
 * thread-safe, and holds no connection between calls (each {@link Subscription} and {@link
 * EventStream} has its own, closed by closing it).
 *
 * <p>Arguments must not be null unless a parameter says so. Every call that fails throws a {@link
 * PgShuttleClientException}: {@link TransientClientException} when the same call may succeed later
 * (no answer, a timeout, 5xx), {@link PermanentClientException} when something must change first (a
 * 4xx answer, with the coordinator's error text, HTTP status and body). Bad arguments throw {@link
 * IllegalArgumentException} before anything is sent. The bearer token and the broker password never
 * appear in messages, logs or {@link #toString()}.
 */
public final class PgShuttleClient {
  private static final String MIGRATIONS = "/v1/migrations";
  private static final String EVENTS = "/v1/events";
  private static final String DEAD_LETTERS = "/v1/dead-letters";

  private final CoordinatorCalls calls;
  private final HttpTransport transport;
  private final Answers answers = new Answers();
  private final MessageCodec codec = new MessageCodec();
  private final String amqpUri;
  private final Topology topology;
  private final Duration connectTimeout;
  private final Duration reconnectDelay;
  private final Duration recoveryInterval;

  PgShuttleClient(Builder builder, HttpTransport transport) {
    this.calls = new CoordinatorCalls(builder.coordinatorUri, builder.bearerToken);
    this.transport = transport;
    this.amqpUri = builder.amqpUri;
    this.topology = new Topology(builder.namespace);
    this.connectTimeout = builder.connectTimeout;
    this.reconnectDelay = builder.reconnectDelay;
    this.recoveryInterval = builder.recoveryInterval;
  }

  /** A builder with the defaults each setting names. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Submits a migration request ({@code POST /v1/migrations}). The requestId is the idempotency
   * key: submitting the same request again names the same migration and changes nothing, so a call
   * that failed transiently may simply be repeated.
   *
   * @throws PermanentClientException for an invalid request (its {@link
   *     PgShuttleClientException#problems()} say what to fix; nothing is sent when the client finds
   *     them itself), or a requestId accepted before with other content (409)
   */
  public Submission submit(MigrationRequest request) {
    List<String> problems = request.problems();
    if (!problems.isEmpty()) {
      throw new PermanentClientException(
          "the request is invalid, nothing was sent: " + String.join("; ", problems),
          0,
          null,
          problems);
    }
    String body = new String(codec.encode(Envelope.ofRequest(request)), StandardCharsets.UTF_8);
    HttpCall call = calls.post(MIGRATIONS, Map.of(), body);
    HttpTransport.Answer answer = exchange(call);
    requireSuccess(call, answer);
    return new Submission(answers.read(call, answer, Migration.class), answer.status() == 202);
  }

  /**
   * The migration's status ({@code GET /v1/migrations/{id}}); empty when the coordinator has none.
   */
  public Optional<Migration> get(MigrationId id) {
    return found(calls.get(MIGRATIONS + "/" + id, Map.of()), Migration.class);
  }

  /** The first page of migrations that match, newest first. */
  public Page<Migration> list(MigrationFilter filter) {
    return list(filter, null);
  }

  /**
   * One page of migrations that match, newest first ({@code GET /v1/migrations}).
   *
   * @param after the {@link Page#next()} cursor of the page before; null for the first page
   */
  public Page<Migration> list(MigrationFilter filter, String after) {
    return page(
        calls.get(
            MIGRATIONS,
            CoordinatorCalls.query(
                "state", filter.state(),
                "instance", filter.instance(),
                "limit", filter.limit(),
                "after", after)),
        "migrations",
        Migration.class);
  }

  /**
   * Every migration that matches, newest first, fetching page after page as the stream is consumed.
   * Sequential; an error of a later page is thrown where the stream reaches it.
   */
  public Stream<Migration> listAll(MigrationFilter filter) {
    return PageIterator.stream(after -> list(filter, after));
  }

  /**
   * Cancels a migration ({@code POST /v1/migrations/{id}/cancel}). Cancelling again changes
   * nothing.
   *
   * @param reason kept with the migration, at most 1000 characters; null for none
   * @return the migration after the request: CANCELLED, or RUNNING with {@link
   *     Migration#cancelRequestedAt()} set while its agent stops the attempt
   * @throws PermanentClientException 404 for an unknown migration; 409 for one that ended SUCCEEDED
   *     or FAILED (nothing was cancelled)
   */
  public Migration cancel(MigrationId id, String reason) {
    ObjectNode body = answers.mapper().createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return succeeded(
        calls.post(MIGRATIONS + "/" + id + "/cancel", Map.of(), json(body)), Migration.class);
  }

  /** The first page of dead letters that match, newest first. */
  public Page<DeadLetter> listDeadLetters(DeadLetterFilter filter) {
    return listDeadLetters(filter, null);
  }

  /**
   * One page of dead letters that match ({@code GET /v1/dead-letters}).
   *
   * @param after the {@link Page#next()} cursor of the page before; null for the first page
   */
  public Page<DeadLetter> listDeadLetters(DeadLetterFilter filter, String after) {
    return page(
        calls.get(
            DEAD_LETTERS,
            CoordinatorCalls.query(
                "reason", filter.reason(),
                "instance", filter.instance(),
                "limit", filter.limit(),
                "after", after)),
        "deadLetters",
        DeadLetter.class);
  }

  /** Every dead letter that matches, fetching page after page as the stream is consumed. */
  public Stream<DeadLetter> allDeadLetters(DeadLetterFilter filter) {
    return PageIterator.stream(after -> listDeadLetters(filter, after));
  }

  /** One dead letter ({@code GET /v1/dead-letters/{id}}); empty when there is none of that id. */
  public Optional<DeadLetter> getDeadLetter(String id) {
    return found(
        calls.get(DEAD_LETTERS + "/" + CoordinatorCalls.encode(id), Map.of()), DeadLetter.class);
  }

  /**
   * Validates a dead letter's request again and, when it is valid now, publishes it to the requests
   * queue again ({@code POST /v1/dead-letters/{id}/replay}). Idempotent by the request's requestId.
   *
   * @throws PermanentClientException 404 for an unknown id; 400 when the dead letter's target
   *     password was removed and must be given (see {@link #replayDeadLetter(String, Secret)})
   */
  public ReplayResult replayDeadLetter(String id) {
    return replayDeadLetter(id, null);
  }

  /**
   * As {@link #replayDeadLetter(String)}, putting {@code targetPassword} back into the request (the
   * coordinator removes it from dead letters it stores).
   *
   * @param targetPassword null to give none
   */
  public ReplayResult replayDeadLetter(String id, Secret targetPassword) {
    return succeeded(
        calls.post(
            DEAD_LETTERS + "/" + CoordinatorCalls.encode(id) + "/replay",
            Map.of(),
            replayBody(targetPassword)),
        ReplayResult.class);
  }

  /**
   * Replays every dead letter that matches the filter's reason and instance ({@code POST
   * /v1/dead-letters/replay}), oldest first; the filter's limit is not sent. One whose password was
   * removed comes back INVALID (see {@link #replayAllDeadLetters(DeadLetterFilter, Secret)}).
   *
   * @return one result per dead letter replayed
   */
  public List<ReplayResult> replayAllDeadLetters(DeadLetterFilter filter) {
    return replayAllDeadLetters(filter, null);
  }

  /**
   * As {@link #replayAllDeadLetters(DeadLetterFilter)}, putting {@code targetPassword} back into
   * each request whose password was removed.
   *
   * @param targetPassword null to give none
   */
  public List<ReplayResult> replayAllDeadLetters(DeadLetterFilter filter, Secret targetPassword) {
    JsonNode results =
        succeeded(
                calls.post(
                    DEAD_LETTERS + "/replay",
                    CoordinatorCalls.query(
                        "reason", filter.reason(), "instance", filter.instance()),
                    replayBody(targetPassword)),
                JsonNode.class)
            .path("results");
    List<ReplayResult> replayed = new ArrayList<>();
    for (JsonNode result : results) {
      replayed.add(answers.mapper().convertValue(result, ReplayResult.class));
    }
    return List.copyOf(replayed);
  }

  /** {@code {"targetPassword": ...}}, or no body without a password. */
  private String replayBody(Secret targetPassword) {
    if (targetPassword == null) {
      return null;
    }
    ObjectNode body = answers.mapper().createObjectNode();
    body.put("targetPassword", targetPassword.reveal());
    return json(body);
  }

  /**
   * Deletes a dead letter ({@code DELETE /v1/dead-letters/{id}}).
   *
   * @return true when it was deleted, false when there was none of that id
   */
  public boolean dropDeadLetter(String id) {
    HttpCall call = calls.delete(DEAD_LETTERS + "/" + CoordinatorCalls.encode(id));
    HttpTransport.Answer answer = exchange(call);
    if (answer.status() == 404) {
      return false;
    }
    requireSuccess(call, answer);
    return answers.read(call, answer, JsonNode.class).path("deleted").asBoolean(false);
  }

  /**
   * Follows the coordinator's events over Server-Sent Events ({@code GET
   * /v1/migrations/{id}/events} or {@code GET /v1/events}): the stored events first, then live
   * ones. The stream connects again by itself after a dropped connection, resuming after the last
   * event it read.
   *
   * @param after the position to resume after (an earlier stream's {@link
   *     EventStream#lastEventId()}); null for every event from the first
   * @return a running stream; close it when done
   */
  public EventStream streamEvents(EventSelector selector, Long after) {
    return stream(selector, Map.of(), after);
  }

  /**
   * As {@link #streamEvents}, but only the events stored from now on ({@code after=latest}): the
   * stream starts after the newest event stored when it opens, which a fleet's whole history would
   * take long to reach. Until an event comes, {@link EventStream#lastEventId()} gives the position
   * it started after (once {@link EventStream#next} has been called), so that a later stream
   * resumes there; a dropped connection resumes there too.
   *
   * @return a running stream; close it when done
   */
  public EventStream streamNewEvents(EventSelector selector) {
    return stream(selector, Map.of("after", "latest"), null);
  }

  private EventStream stream(EventSelector selector, Map<String, String> start, Long after) {
    String path =
        selector.migrationId() == null
            ? EVENTS
            : MIGRATIONS + "/" + selector.migrationId() + "/events";
    Map<String, String> query =
        CoordinatorCalls.query("instance", selector.instance(), "type", selector.type());
    query.putAll(start);
    return new SseEventStream(transport, calls, answers, codec, path, query, after, reconnectDelay);
  }

  /**
   * Subscribes to the events exchange {@code <namespace>.events} through the durable quorum queue
   * {@link SubscriptionSpec#queue()}, declared and bound here if it is not yet (RabbitMQ, from the
   * builder's {@link Builder#amqpUri}). Each event is decoded with {@link MessageCodec} and handed
   * to the handler; it is acked when the handler returns (at least once). A message that is no
   * pgshuttle event goes to the error handler and is rejected, so it never stalls the queue.
   *
   * <p>The connection recovers by itself. Closing the subscription keeps the queue: subscribing
   * again with the same name gets every event published meanwhile. The queue stays until the
   * control plane deletes it; events pile up in it while no one consumes.
   *
   * @throws IllegalStateException when the builder was given no AMQP URI
   * @throws TransientClientException when the broker cannot be reached
   * @throws PermanentClientException when the broker refuses the queue or the binding
   */
  public Subscription subscribe(SubscriptionSpec spec) {
    if (amqpUri == null) {
      throw new IllegalStateException(
          "this client has no broker: set PgShuttleClient.builder().amqpUri(...) to subscribe");
    }
    ConnectionFactory factory = Builder.connectionFactory(amqpUri);
    factory.setConnectionTimeout(Math.toIntExact(connectTimeout.toMillis()));
    return AmqpSubscription.open(
        factory, describe(factory), topology, spec, codec, recoveryInterval);
  }

  private static String describe(ConnectionFactory factory) {
    return factory.getHost()
        + ":"
        + factory.getPort()
        + " (vhost "
        + factory.getVirtualHost()
        + ")";
  }

  private <T> Optional<T> found(HttpCall call, Class<T> type) {
    HttpTransport.Answer answer = exchange(call);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    requireSuccess(call, answer);
    return Optional.of(answers.read(call, answer, type));
  }

  /** The body of a 2xx answer as {@code type}; else the error the answer means. */
  private <T> T succeeded(HttpCall call, Class<T> type) {
    HttpTransport.Answer answer = exchange(call);
    requireSuccess(call, answer);
    return answers.read(call, answer, type);
  }

  private <T> Page<T> page(HttpCall call, String field, Class<T> type) {
    JsonNode body = succeeded(call, JsonNode.class);
    List<T> items =
        answers
            .mapper()
            .convertValue(
                body.path(field),
                answers.mapper().getTypeFactory().constructCollectionType(List.class, type));
    JsonNode next = body.path("next");
    return new Page<>(items, next.isTextual() ? next.asText() : null);
  }

  private HttpTransport.Answer exchange(HttpCall call) {
    try {
      return transport.exchange(call);
    } catch (IOException e) {
      throw Answers.unreachable(calls, e);
    } catch (InterruptedException e) {
      throw Answers.interrupted(call, e);
    }
  }

  private void requireSuccess(HttpCall call, HttpTransport.Answer answer) {
    if (answer.status() < 200 || answer.status() > 299) {
      throw answers.failure(call, answer.status(), answer.body());
    }
  }

  private String json(JsonNode node) {
    try {
      return answers.mapper().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON object", e);
    }
  }

  @Override
  public String toString() {
    return "PgShuttleClient[coordinator="
        + calls
        + ", broker="
        + (amqpUri == null ? "none" : describe(Builder.connectionFactory(amqpUri)))
        + ", namespace="
        + topology.namespace()
        + "]";
  }

  /**
   * Settings of a {@link PgShuttleClient}. Not thread-safe; {@link #build()} checks every setting
   * and names the one to fix. Its {@link #toString()} leaves out the token and the broker URI.
   */
  public static final class Builder {
    private URI coordinatorUri;
    private String bearerToken;
    private String amqpUri;
    private String namespace = Topology.DEFAULT_NAMESPACE;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration reconnectDelay = Duration.ofSeconds(1);
    private Duration recoveryInterval = Duration.ofSeconds(5);

    private Builder() {}

    /** The coordinator's HTTP API, such as {@code http://coordinator.internal:8080}. Required. */
    public Builder coordinatorUri(URI uri) {
      this.coordinatorUri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** As {@link #coordinatorUri(URI)}, from text. */
    public Builder coordinatorUri(String uri) {
      return coordinatorUri(URI.create(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * The token sent as {@code Authorization: Bearer <token>} with every call; a {@code read} token
     * allows reading and streams, an {@code operate} token also submit, cancel and dead-letter
     * replay and drop. Null (the default) sends none.
     */
    public Builder bearerToken(String token) {
      this.bearerToken = token;
      return this;
    }

    /**
     * The broker for {@link PgShuttleClient#subscribe}, such as {@code
     * amqp://user:password@rabbitmq.internal:5672/vhost} ({@code amqps://} for TLS). Null (the
     * default): the client cannot subscribe.
     */
    public Builder amqpUri(String uri) {
      this.amqpUri = uri;
      return this;
    }

    /** The installation's broker namespace; default {@code pgshuttle}. */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /** The longest wait for a connection to the coordinator or the broker; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The longest wait for a whole HTTP answer (not for event streams); default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The wait before an event stream connects again, unless the coordinator asks for another;
     * default 1 s.
     */
    public Builder eventStreamReconnectDelay(Duration delay) {
      this.reconnectDelay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /**
     * The wait between attempts of a subscription to reconnect to the broker; default 5 s. After
     * the broker closed a subscription's channel or deleted its queue, the subscription tries to
     * consume again after this wait, then after twice as long each time up to 30 s (or this wait,
     * if longer).
     */
    public Builder recoveryInterval(Duration interval) {
      this.recoveryInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * A client with these settings.
     *
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public PgShuttleClient build() {
      check();
      return new PgShuttleClient(this, new JdkHttpTransport(connectTimeout, requestTimeout));
    }

    /** Checks every setting; package-private so that tests can build with another transport. */
    void check() {
      if (coordinatorUri == null) {
        throw new IllegalArgumentException(
            "coordinatorUri is not set: give the coordinator's HTTP API, such as"
                + " http://coordinator:8080");
      }
      String scheme = coordinatorUri.getScheme();
      if (!("http".equals(scheme) || "https".equals(scheme))
          || coordinatorUri.getHost() == null
          || coordinatorUri.getRawQuery() != null
          || coordinatorUri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "coordinatorUri must be http:// or https:// with a host and no user or query, such as"
                + " http://coordinator:8080");
      }
      if (bearerToken != null
          && (bearerToken.isBlank() || !bearerToken.chars().allMatch(c -> c > 32 && c < 127))) {
        throw new IllegalArgumentException(
            "bearerToken must be printable ASCII without spaces (the token is not shown here)");
      }
      if (amqpUri != null) {
        connectionFactory(amqpUri);
      }
      new Topology(namespace);
      for (Duration duration :
          List.of(connectTimeout, requestTimeout, reconnectDelay, recoveryInterval)) {
        if (duration.isNegative() || duration.isZero()) {
          throw new IllegalArgumentException(
              "timeouts, delays and intervals must be positive, not " + duration);
        }
      }
    }

    /** A factory for {@code uri}; the error leaves the URI out, which may hold a password. */
    static ConnectionFactory connectionFactory(String uri) {
      ConnectionFactory factory = new ConnectionFactory();
      try {
        factory.setUri(uri);
      } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "amqpUri is not a valid AMQP URI (not shown, it may hold a password): use"
                + " amqp://user:password@host:5672/vhost or amqps://...");
      }
      return factory;
    }

    @Override
    public String toString() {
      return "PgShuttleClient.Builder[coordinatorUri="
          + coordinatorUri
          + ", namespace="
          + namespace
          + "]";
    }
  }
}
