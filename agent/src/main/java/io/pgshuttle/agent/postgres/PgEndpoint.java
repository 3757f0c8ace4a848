package io.pgshuttle.agent.postgres;

import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.TargetServer;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A PostgreSQL server and the role the agent logs in as.
 *
 * @param role what the server is to the migration ({@code source} or {@code target}), for messages
 * @param password null where the server needs none (or, after an agent restart, where it is not
 *     known); never printed
 * @param sslmode libpq's sslmode; never null
 */
public record PgEndpoint(
    String role, String host, int port, String user, Secret password, SslMode sslmode) {

  public static final String SOURCE = "source";
  public static final String TARGET = "target";
  private static final int DEFAULT_PORT = 5432;

  public PgEndpoint {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(sslmode, "sslmode");
  }

  /**
   * The source as PGSHUTTLE_SOURCE_URL names it: {@code postgresql://user@host:port}, optionally
   * with {@code ?sslmode=…}.
   *
   * @throws IllegalArgumentException naming the setting, if the URL cannot be read
   */
  public static PgEndpoint source(String url, Secret password) {
    try {
      URI uri = new URI(url);
      if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new URISyntaxException(url, "expected postgresql://user@host:port");
      }
      String user =
          uri.getRawUserInfo() == null
              ? "postgres"
              : URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
      String host = uri.getHost().replace("[", "").replace("]", "");
      return new PgEndpoint(
          SOURCE,
          host,
          uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(),
          user,
          password,
          sslmode(uri.getQuery()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "PGSHUTTLE_SOURCE_URL '" + url + "' is not postgresql://user@host:port", e);
    }
  }

  /** The target of a migration command. */
  public static PgEndpoint target(TargetServer target) {
    return new PgEndpoint(
        TARGET, target.host(), target.port(), target.user(), target.password(), target.sslmode());
  }

  private static SslMode sslmode(String query) {
    if (query == null) {
      return SslMode.PREFER;
    }
    for (String parameter : query.split("&")) {
      if (parameter.startsWith("sslmode=")) {
        String value = parameter.substring("sslmode=".length());
        for (SslMode mode : SslMode.values()) {
          if (mode.libpqName().equals(value)) {
            return mode;
          }
        }
        throw new IllegalArgumentException("unknown sslmode " + value);
      }
    }
    return SslMode.PREFER;
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether a password is known for this endpoint. */
  public boolean hasPassword() {
    return password != null;
  }

  @Override
  public String toString() {
    return role + " " + user + "@" + address();
  }
}
