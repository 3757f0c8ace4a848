package io.pgshuttle.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server on a free port of 127.0.0.1 that answers like the coordinator's API with scripted
 * answers per path, for *IT tests of the HTTP client. Each path's answers are given in turn, the
 * last one repeating. A path given {@link #stream} answers with Server-Sent Events once the path it
 * is under was answered 200 (404 before), and holds the connection open until the stub closes. A
 * 3xx answer points to {@code /v1/redirected}. Thread-safe.
 */
final class StubCoordinator implements AutoCloseable {
  record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, ConcurrentLinkedQueue<Answer>> answers = new ConcurrentHashMap<>();
  private final Map<String, String> streams = new ConcurrentHashMap<>();
  private final Set<String> known = ConcurrentHashMap.newKeySet(); // paths answered 200
  private final CountDownLatch closed = new CountDownLatch(1);
  // Open streams hold their handler's thread: the others get threads of their own.
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  final List<String> requests = new CopyOnWriteArrayList<>();

  /** The Authorization header of each request, {@code (none)} when absent. */
  final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** The POST requests, as {@code <path> <body>}. */
  final List<String> posts = new CopyOnWriteArrayList<>();

  StubCoordinator() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getRawPath();
          String query = exchange.getRequestURI().getRawQuery();
          requests.add(query == null ? path : path + "?" + query);
          String authorization = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(authorization == null ? "(none)" : authorization);
          if (exchange.getRequestMethod().equals("POST")) {
            posts.add(
                path
                    + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          }
          String frames = streams.get(path);
          // Like the coordinator, which streams only the events of a migration it has recorded.
          if (frames != null && known.contains(path.substring(0, path.lastIndexOf('/')))) {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(frames.getBytes(StandardCharsets.UTF_8));
              out.flush();
              closed.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return;
          }
          ConcurrentLinkedQueue<Answer> queue = answers.get(path);
          Answer answer =
              queue == null || queue.isEmpty()
                  ? new Answer(404, "{\"error\":\"not found\"}")
                  : queue.size() == 1 ? queue.peek() : queue.poll();
          if (answer.status() == 200) {
            known.add(path);
          }
          byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          if (answer.status() / 100 == 3) {
            exchange.getResponseHeaders().add("Location", "/v1/redirected");
          }
          exchange.sendResponseHeaders(answer.status(), body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(handlers);
    server.start();
  }

  StubCoordinator answer(String path, int status, String body) {
    answers
        .computeIfAbsent(path, key -> new ConcurrentLinkedQueue<>())
        .add(new Answer(status, body));
    return this;
  }

  /** Answers {@code path} with {@code frames} of Server-Sent Events, then holds it open. */
  StubCoordinator stream(String path, String frames) {
    streams.put(path, frames);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }
}
