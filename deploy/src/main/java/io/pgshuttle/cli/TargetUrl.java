package io.pgshuttle.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * The {@code --target} of {@code submit}: {@code postgresql://USER@HOST:PORT}, port 5432 when left
 * out. A password in the URL is refused, since a command line is readable by every user of the
 * machine; error messages never repeat the URL, which might hold one.
 */
record TargetUrl(String user, String host, int port) {
  static final int DEFAULT_PORT = 5432;
  private static final String FORM = "postgresql://USER@HOST:PORT";

  TargetUrl {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(host, "host");
  }

  /**
   * @throws IllegalArgumentException saying what is wrong and how to write the URL
   */
  static TargetUrl parse(String text) {
    String scheme = text.startsWith("postgresql://") ? "postgresql://" : "postgres://";
    if (!text.startsWith(scheme)) {
      throw invalid("the target must be a URL of the form " + FORM);
    }
    if (holdsPassword(text.substring(scheme.length()))) {
      throw invalid(
          "the target URL holds a password: remove it, and give the password in the environment"
              + " variable PGSHUTTLE_TARGET_PASSWORD or in a file named by --target-password-file");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid("the target is not a valid URL: write it as " + FORM);
    }
    if (uri.getHost() == null) {
      throw invalid("the target URL names no valid host: write it as " + FORM);
    }
    if (uri.getUserInfo() == null || uri.getUserInfo().isEmpty()) {
      throw invalid("the target URL names no user: write it as " + FORM);
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw invalid("the target URL names a database: name databases with --database instead");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid("the target URL has parameters: use --sslmode instead");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new TargetUrl(
        uri.getUserInfo(), host, uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort());
  }

  /**
   * Whether a {@code :} comes before the last {@code @}: the {@code user:password@} form, also when
   * the password itself holds {@code @} or {@code /}.
   */
  private static boolean holdsPassword(String afterScheme) {
    int at = afterScheme.lastIndexOf('@');
    return at >= 0 && afterScheme.substring(0, at).contains(":");
  }

  private static IllegalArgumentException invalid(String message) {
    return new IllegalArgumentException(message);
  }
}
