package io.pgshuttle.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP requests of the client commands, over {@link HttpURLConnection} rather than {@link
 * java.net.http.HttpClient}: the latter's selector thread waits in the kernel for as long as the
 * JVM lives, and a JDK 17 JVM that exits with a thread there waits 300 ms for it. With the 0.2 s
 * the client takes to start, that was half a second of every command (`status` took 1.5 s, now 0.6
 * s). Stateless.
 */
final class PlainHttp {
  private PlainHttp() {}

  /** A status code and the body: the error body for codes of 400 and above. */
  record Answer(int status, String body) {}

  /**
   * A connection to {@code url}, not yet connected.
   *
   * @param authorization the {@code Authorization} header; null for none
   */
  static HttpURLConnection open(URI url, String authorization, Duration connectTimeout)
      throws IOException {
    HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
    connection.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
    // A redirect is an answer of its own, as java.net.http's default had it: the caller's error
    // says where it came from, and no token follows it elsewhere.
    connection.setInstanceFollowRedirects(false);
    if (authorization != null) {
      connection.setRequestProperty("Authorization", authorization);
    }
    return connection;
  }

  /**
   * Sends one request and reads its whole answer.
   *
   * @param authorization the {@code Authorization} header; null for none
   * @param jsonBody sent as {@code application/json}; null for no body
   * @param timeout for the connection, and then for the answer to come
   */
  static Answer send(
      URI url, String method, String authorization, String jsonBody, Duration timeout)
      throws IOException {
    HttpURLConnection connection = open(url, authorization, timeout);
    connection.setRequestMethod(method);
    connection.setReadTimeout(Math.toIntExact(timeout.toMillis()));
    connection.setRequestProperty("Accept", "application/json");
    if (jsonBody != null) {
      byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(body.length);
      connection.setRequestProperty("Content-Type", "application/json");
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body);
      }
    }
    int status = connection.getResponseCode();
    try (InputStream in =
        status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
      return new Answer(
          status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
