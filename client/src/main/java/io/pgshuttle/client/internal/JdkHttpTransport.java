package io.pgshuttle.client.internal;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@link HttpTransport} over the JDK's {@link HttpClient}. Thread-safe. */
public final class JdkHttpTransport implements HttpTransport {
  private final HttpClient client;
  private final Duration requestTimeout;

  /**
   * @param requestTimeout the longest wait for a whole answer; streams wait for their head only
   */
  public JdkHttpTransport(Duration connectTimeout, Duration requestTimeout) {
    this.client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    this.requestTimeout = requestTimeout;
  }

  @Override
  public Answer exchange(HttpCall call) throws IOException, InterruptedException {
    HttpResponse<String> response =
        client.send(
            request(call).timeout(requestTimeout).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Answer(response.statusCode(), response.body() == null ? "" : response.body());
  }

  @Override
  public StreamingAnswer open(HttpCall call) throws IOException, InterruptedException {
    HttpResponse<java.io.InputStream> response =
        client.send(request(call).build(), HttpResponse.BodyHandlers.ofInputStream());
    return new StreamingAnswer(response.statusCode(), response.body());
  }

  private static HttpRequest.Builder request(HttpCall call) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(call.uri());
    call.headers().forEach(builder::header);
    builder.method(
        call.method(),
        call.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(call.body(), StandardCharsets.UTF_8));
    return builder;
  }
}
