package io.pgshuttle.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.client.PermanentClientException;
import io.pgshuttle.client.PgShuttleClientException;
import io.pgshuttle.client.TransientClientException;
import io.pgshuttle.messages.MessageCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the coordinator's answers: JSON into the client's records, error answers into {@link
 * PgShuttleClientException}s. Thread-safe.
 */
public final class Answers {
  private static final int SHOWN_BODY_CHARACTERS = 200;

  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * The answer's body as {@code type}.
   *
   * @throws TransientClientException for a body that is not what the API promises (a proxy's page,
   *     a coordinator of another version): the same call may work against a good coordinator
   */
  public <T> T read(HttpCall call, HttpTransport.Answer answer, JavaType type) {
    try {
      return mapper.readValue(answer.body(), type);
    } catch (JsonProcessingException e) {
      throw new TransientClientException(
          call
              + " answered "
              + answer.status()
              + " with a body that is not its JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  public <T> T read(HttpCall call, HttpTransport.Answer answer, Class<T> type) {
    return read(call, answer, mapper.constructType(type));
  }

  /** The error of a non-2xx answer: transient for 408, 429 and 5xx, else permanent. */
  public PgShuttleClientException failure(HttpCall call, int status, String body) {
    String message = call + " answered " + status + ": " + errorText(body);
    if (status == 408 || status == 429 || status >= 500) {
      return new TransientClientException(message, status, body);
    }
    return new PermanentClientException(hint(message, status), status, body, problems(body));
  }

  /** The error of a call that got no answer. */
  public static TransientClientException unreachable(CoordinatorCalls calls, IOException e) {
    return new TransientClientException(
        "cannot reach the coordinator at "
            + calls
            + " ("
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
            + "): check the coordinator URI and that `pgshuttle coordinator` runs",
        e);
  }

  /** The error of a call interrupted by the caller; the interrupt flag is set again. */
  public static TransientClientException interrupted(HttpCall call, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new TransientClientException("interrupted while waiting for " + call, e);
  }

  private static String hint(String message, int status) {
    if (status == 401) {
      return message + " (give the client a bearer token the coordinator knows)";
    }
    if (status == 403) {
      return message + " (this token's scope does not allow the call: use an operate token)";
    }
    return message;
  }

  /** The API's {@code "error"} text, else the start of the body. */
  private String errorText(String body) {
    JsonNode error = json(body).path("error");
    if (error.isTextual()) {
      return error.asText();
    }
    String trimmed = body == null ? "" : body.strip();
    return trimmed.isEmpty()
        ? "(no message)"
        : trimmed.substring(0, Math.min(SHOWN_BODY_CHARACTERS, trimmed.length()));
  }

  private List<String> problems(String body) {
    List<String> problems = new ArrayList<>();
    json(body).path("problems").forEach(problem -> problems.add(problem.asText()));
    return problems;
  }

  private JsonNode json(String body) {
    try {
      JsonNode node = body == null ? null : mapper.readTree(body);
      return node == null ? mapper.missingNode() : node;
    } catch (IOException e) {
      return mapper.missingNode();
    }
  }
}
