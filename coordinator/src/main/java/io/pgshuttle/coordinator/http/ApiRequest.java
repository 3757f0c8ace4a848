package io.pgshuttle.coordinator.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request as a handler sees it. Not thread-safe: a request is handled on one thread.
 *
 * @param pathParameters the values of the route's {@code {name}} segments, in order
 * @param rawQuery the query string as sent; null when there is none
 * @param body the request body, read at most once
 * @param caller the token that authenticated the request; empty on an open path
 */
public record ApiRequest(
    List<String> pathParameters, String rawQuery, InputStream body, Optional<ApiToken> caller) {
  /** Bodies longer than this are refused. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  /**
   * Who asks, for the audit log: the name of the caller's token, or "anonymous" on an open route.
   */
  public String callerName() {
    return caller.map(ApiToken::name).orElse("anonymous");
  }

  /** The value of the route's {@code index}th {@code {name}} segment. */
  public String pathParameter(int index) {
    return pathParameters.get(index);
  }

  /**
   * The query's parameters; the last of a repeated name wins.
   *
   * @throws BadRequest if the query string is malformed
   */
  public Map<String, String> parameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      try {
        parameters.put(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("malformed query string: " + e.getMessage());
      }
    }
    return parameters;
  }

  /**
   * The {@code limit} parameter of a listing: {@code defaultLimit} when it is absent or empty.
   *
   * @throws BadRequest unless it is a number from 1 to {@code max}
   */
  public static int limit(Map<String, String> parameters, int defaultLimit, int max) {
    String text = parameters.get("limit");
    if (text == null || text.isEmpty()) {
      return defaultLimit;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new BadRequest("limit must be a number from 1 to " + max + ", not '" + text + "'");
  }

  /**
   * The body's bytes.
   *
   * @throws BadRequest if it is longer than {@code maxBytes}
   */
  public byte[] bodyBytes(int maxBytes) throws IOException {
    byte[] bytes = body.readNBytes(maxBytes + 1);
    if (bytes.length > maxBytes) {
      throw new BadRequest("the request body is over " + maxBytes + " bytes");
    }
    return bytes;
  }
}
