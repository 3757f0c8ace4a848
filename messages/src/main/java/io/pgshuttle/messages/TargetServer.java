package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The PostgreSQL server a migration moves into. The user must be able to create databases and roles
 * (a superuser in practice, since restoring globals needs it).
 *
 * @param password never printed; see {@link Secret}. May be null where the server needs none. The
 *     coordinator never sends it: it sends {@code sealedPassword} instead.
 * @param sslmode null means {@link SslMode#PREFER}
 * @param sealedPassword the password sealed for the agent's X25519 key, as commands carry it; null
 *     where there is no password, or where it is in {@code password}
 */
public record TargetServer(
    @JsonProperty(required = true) String host,
    @JsonProperty(required = true) int port,
    @JsonProperty(required = true) String user,
    Secret password,
    SslMode sslmode,
    SealedSecret sealedPassword) {

  /** A server with its password in clear (or none), as a request names it. */
  public TargetServer(String host, int port, String user, Secret password, SslMode sslmode) {
    this(host, port, user, password, sslmode, null);
  }

  public TargetServer {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    sslmode = sslmode == null ? SslMode.PREFER : sslmode;
  }

  /** This server with the password removed, clear and sealed, for storing or showing. */
  public TargetServer withoutPassword() {
    return new TargetServer(host, port, user, null, sslmode, null);
  }

  /** This server with its password sealed: the clear one removed, {@code sealed} in its place. */
  public TargetServer withSealedPassword(SealedSecret sealed) {
    return new TargetServer(host, port, user, null, sslmode, sealed);
  }

  /** This server with its password in clear, once unsealed: the sealed one removed. */
  public TargetServer withPassword(Secret password) {
    return new TargetServer(host, port, user, password, sslmode, null);
  }

  /** {@code user@host:port}, for messages a person reads. */
  public String describe() {
    return user + "@" + host + ":" + port;
  }
}
