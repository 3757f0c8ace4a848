package io.pgshuttle.iaas.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpResponseException;
import com.google.api.gax.rpc.ApiException;
import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.Operation;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One error of the Compute API, from a refused call or from a zone operation that ended with an
 * error, in the terms GCP documents: the HTTP status, the reason (such as {@code forbidden}, {@code
 * rateLimitExceeded}, or an operation's {@code QUOTA_EXCEEDED}) and GCP's message.
 *
 * @param httpStatus the HTTP status; {@link #NO_RESPONSE} when the API did not answer
 * @param reason GCP's reason or operation error code, empty if there is none
 * @param message GCP's message, never null
 * @param cause the SDK's exception, empty for an operation's error
 */
record GcpError(int httpStatus, String reason, String message, Optional<Throwable> cause) {
  /** The status of a call that got no HTTP response: refused, reset or timed out. */
  static final int NO_RESPONSE = 0;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The error of a refused call: the JSON error body when GCP sent one. */
  static GcpError of(ApiException exception) {
    for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
      if (cause instanceof HttpResponseException response) {
        return ofBody(response.getStatusCode(), response.getContent(), exception);
      }
    }
    return new GcpError(
        NO_RESPONSE,
        exception.getStatusCode().getCode().name(),
        String.valueOf(exception.getMessage()),
        Optional.of(exception));
  }

  /** The error of a zone operation that is DONE with an error. */
  static GcpError of(Operation operation) {
    return new GcpError(
        operation.getHttpErrorStatusCode(),
        operation.getError().getErrorsList().stream().map(Errors::getCode).findFirst().orElse(""),
        operation.getError().getErrorsList().stream()
            .map(Errors::getMessage)
            .collect(Collectors.joining("; ")),
        Optional.empty());
  }

  private static GcpError ofBody(int status, String body, ApiException exception) {
    String message = String.valueOf(exception.getMessage());
    String reason = "";
    if (body != null && !body.isBlank()) {
      try {
        JsonNode error = JSON.readTree(body).path("error");
        message = error.path("message").asText(message);
        reason = error.path("errors").path(0).path("reason").asText("");
      } catch (IOException notJson) {
        message = body;
      }
    }
    return new GcpError(status, reason, message, Optional.of(exception));
  }

  /**
   * Whether the reason is {@code name}, in either GCP spelling ({@code quotaExceeded}, {@code
   * QUOTA_EXCEEDED}).
   */
  boolean is(String name) {
    return normalized(reason).equals(normalized(name));
  }

  boolean notFound() {
    return httpStatus == 404 || is("notFound") || is("RESOURCE_NOT_FOUND");
  }

  boolean alreadyExists() {
    return httpStatus == 409 || is("alreadyExists") || is("RESOURCE_ALREADY_EXISTS");
  }

  private static String normalized(String name) {
    return name.replace("_", "").toLowerCase(Locale.ROOT);
  }
}
