package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The PostgreSQL server a migration moves into. The user must be able to create databases and roles
 * (a superuser in practice, since restoring globals needs it).
 *
 * @param password never printed; see {@link Secret}. May be null where the server needs none.
 * @param sslmode null means {@link SslMode#PREFER}
 */
public record TargetServer(
    @JsonProperty(required = true) String host,
    @JsonProperty(required = true) int port,
    @JsonProperty(required = true) String user,
    Secret password,
    SslMode sslmode) {

  public TargetServer {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    sslmode = sslmode == null ? SslMode.PREFER : sslmode;
  }

  /** This server with the password removed, for storing or showing. */
  public TargetServer withoutPassword() {
    return new TargetServer(host, port, user, null, sslmode);
  }

  /** {@code user@host:port}, for messages a person reads. */
  public String describe() {
    return user + "@" + host + ":" + port;
  }
}
