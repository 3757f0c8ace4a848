package io.pgshuttle.agent.postgres;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.StepException;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens JDBC connections to the source and the target. The password goes in the connection
 * properties, never in the URL. Thread-safe and stateless.
 */
public final class PgConnector {
  /** The database every cluster has, for cluster-wide work. */
  public static final String MAINTENANCE_DATABASE = "postgres";

  private static final String CONNECT_TIMEOUT_SECONDS = "10";

  private final Path targetSslRootCert;

  /** A connector without a CA file of the targets' (pgjdbc's default applies). */
  public PgConnector() {
    this((Path) null);
  }

  @Inject
  PgConnector(AgentConfig config) {
    this(config.targetSslRootCert());
  }

  /**
   * @param targetSslRootCert the CAs of the targets' certificates ({@code sslrootcert} of a
   *     connection to a target), or null
   */
  public PgConnector(Path targetSslRootCert) {
    this.targetSslRootCert = targetSslRootCert;
  }

  /**
   * A new autocommit connection to {@code database} on {@code server}.
   *
   * @throws StepException retryable when the server cannot be reached, not when it refuses the
   *     login or has no such database
   */
  public Connection connect(PgEndpoint server, String database) throws StepException {
    Properties properties = new Properties();
    properties.setProperty("user", server.user());
    if (server.hasPassword()) {
      properties.setProperty("password", server.password().reveal());
    }
    properties.setProperty("sslmode", server.sslmode().libpqName());
    if (targetSslRootCert != null && PgEndpoint.TARGET.equals(server.role())) {
      properties.setProperty("sslrootcert", targetSslRootCert.toString());
    }
    properties.setProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
    properties.setProperty("ApplicationName", "pgshuttle-agent");
    // VERIFY's queries may run for long: a dead peer must end them rather than hang them.
    properties.setProperty("tcpKeepAlive", "true");
    try {
      return DriverManager.getConnection(url(server, database), properties);
    } catch (SQLException e) {
      throw PgErrors.translate(server, "connecting to database " + database, e);
    }
  }

  /** A connection to the {@link #MAINTENANCE_DATABASE}. */
  public Connection connectMaintenance(PgEndpoint server) throws StepException {
    return connect(server, MAINTENANCE_DATABASE);
  }

  private static String url(PgEndpoint server, String database) {
    String host = server.host().contains(":") ? "[" + server.host() + "]" : server.host();
    return "jdbc:postgresql://"
        + host
        + ":"
        + server.port()
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
