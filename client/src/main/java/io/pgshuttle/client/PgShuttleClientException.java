package io.pgshuttle.client;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The root of every error of the client. {@link #retryable()} says whether the same call may
 * succeed later without anyone changing anything; the two subclasses are the two answers. When the
 * coordinator answered, the HTTP status and its body come with the exception. The bearer token
 * never appears in a message.
 */
public abstract sealed class PgShuttleClientException extends RuntimeException
    permits TransientClientException, PermanentClientException {
  private final int httpStatus;
  private final String errorBody;
  private final List<String> problems;

  PgShuttleClientException(
      String message, int httpStatus, String errorBody, List<String> problems, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorBody = errorBody;
    this.problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** Whether the same call may succeed later without anyone changing anything. */
  public abstract boolean retryable();

  /** The coordinator's HTTP status; empty when it did not answer (or the broker failed). */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  /** The body of the coordinator's error answer, as it came; empty when it did not answer. */
  public Optional<String> errorBody() {
    return Optional.ofNullable(errorBody);
  }

  /**
   * What the coordinator found wrong with a request ({@code "problems"} of a 400 answer), each a
   * sentence that says what to fix; empty when it named none.
   */
  public List<String> problems() {
    return problems;
  }
}
