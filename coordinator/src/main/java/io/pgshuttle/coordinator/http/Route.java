package io.pgshuttle.coordinator.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: a method, a path template whose {@code {name}} segments match one path segment
 * each, the scope it needs (null: open to all), and its handler. Immutable.
 *
 * @param template as the OpenAPI document writes it, e.g. {@code /v1/migrations/{id}/cancel}
 */
public record Route(String method, String template, Scope scope, Handler handler) {
  private static final Pattern PARAMETER = Pattern.compile("\\{[^/}]+}");

  /** Answers a request that matched the route. */
  @FunctionalInterface
  public interface Handler {
    ApiResponse handle(ApiRequest request) throws IOException;
  }

  /** A route open without a token. */
  public static Route open(String method, String template, Handler handler) {
    return new Route(method, template, null, handler);
  }

  /** A route that needs a {@link Scope#READ} token. */
  public static Route read(String method, String template, Handler handler) {
    return new Route(method, template, Scope.READ, handler);
  }

  /** A route that needs an {@link Scope#OPERATE} token. */
  public static Route operate(String method, String template, Handler handler) {
    return new Route(method, template, Scope.OPERATE, handler);
  }

  /** The values of the template's parameters in {@code path}; empty if the path does not match. */
  public Optional<List<String>> match(String path) {
    Matcher matcher = pattern().matcher(path);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    List<String> values = new ArrayList<>();
    for (int group = 1; group <= matcher.groupCount(); group++) {
      values.add(matcher.group(group));
    }
    return Optional.of(values);
  }

  private Pattern pattern() {
    StringBuilder regex = new StringBuilder();
    Matcher parameters = PARAMETER.matcher(template);
    int last = 0;
    while (parameters.find()) {
      regex.append(Pattern.quote(template.substring(last, parameters.start()))).append("([^/]+)");
      last = parameters.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(regex.toString());
  }
}
