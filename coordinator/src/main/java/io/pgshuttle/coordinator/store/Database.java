package io.pgshuttle.coordinator.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.pgshuttle.coordinator.CoordinatorConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The status store: a pool of connections to PostgreSQL, the schema {@value #SCHEMA} brought up to
 * date by Flyway, and transactions. Nothing connects before {@link #open()}. Thread-safe.
 */
@Singleton
public final class Database implements AutoCloseable {
  /** The schema that holds pgshuttle's tables, so the store can share a database. */
  public static final String SCHEMA = "pgshuttle";

  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(5);
  // The dispatch loop's publishing threads hold one each while their confirms are awaited.
  private static final int POOL_SIZE = 12;
  private static final int VALIDATION_SECONDS = 2;

  private final CoordinatorConfig config;
  private volatile HikariDataSource pool;

  @Inject
  public Database(CoordinatorConfig config) {
    this.config = config;
  }

  /** Work done in one transaction on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Connects, waiting up to 5 s for the store, and migrates the schema. Idempotent.
   *
   * @throws TransientStoreException if the store cannot be reached, naming the settings to check
   * @throws StoreException if the schema cannot be migrated
   */
  public synchronized void open() {
    if (pool != null) {
      return;
    }
    HikariDataSource opened = connect();
    try {
      Flyway.configure()
          .dataSource(opened)
          .schemas(SCHEMA)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (FlywayException e) {
      opened.close();
      throw new StoreException(
          "cannot bring the status store schema at "
              + config.storeLocation()
              + " up to date: "
              + e.getMessage()
              + "; the store user needs to create schema "
              + SCHEMA
              + " and tables in it",
          null,
          e);
    }
    pool = opened;
  }

  private HikariDataSource connect() {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("pgshuttle-store");
    hikari.setJdbcUrl(config.storeUrl());
    if (config.storeUser() != null) {
      hikari.setUsername(config.storeUser());
    }
    if (config.storePassword() != null) {
      hikari.setPassword(config.storePassword().reveal());
    }
    hikari.setSchema(SCHEMA);
    // A batch of INSERTs goes to the server as multi-row statements, not one statement per row.
    hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    hikari.setAutoCommit(false);
    hikari.setMaximumPoolSize(POOL_SIZE);
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    hikari.setInitializationFailTimeout(STARTUP_TIMEOUT.toMillis());
    try {
      return new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw new TransientStoreException(
          "cannot reach the status store at "
              + config.storeLocation()
              + " within "
              + STARTUP_TIMEOUT.toSeconds()
              + " s ("
              + rootMessage(e)
              + "): check PGSHUTTLE_STORE_URL, PGSHUTTLE_STORE_USER and PGSHUTTLE_STORE_PASSWORD,"
              + " and that PostgreSQL runs",
          null,
          e);
    }
  }

  /**
   * Runs {@code work} in a transaction and commits it; rolls back if it throws.
   *
   * @throws TransientStoreException if the store is unreachable or the transaction lost a conflict
   * @throws StoreException for any other SQL error
   */
  public <T> T inTransaction(Work<T> work) {
    HikariDataSource open = pool;
    if (open == null) {
      throw new IllegalStateException("the status store is not open: call open() first");
    }
    try (Connection connection = open.getConnection()) {
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection);
        throw e;
      }
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  /**
   * A connection of its own, outside the pool, in autocommit mode and with schema {@value #SCHEMA}:
   * for a long-lived listener ({@code LISTEN}) that must not hold a pooled connection. The caller
   * closes it.
   *
   * @throws SQLException if the store cannot be reached within the connection timeout
   */
  public Connection connectOutsidePool() throws SQLException {
    Properties properties = new Properties();
    if (config.storeUser() != null) {
      properties.setProperty("user", config.storeUser());
    }
    if (config.storePassword() != null) {
      properties.setProperty("password", config.storePassword().reveal());
    }
    properties.setProperty("connectTimeout", Long.toString(CONNECTION_TIMEOUT.toSeconds()));
    Connection connection = DriverManager.getConnection(config.storeUrl(), properties);
    try {
      connection.setSchema(SCHEMA);
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /** Why the store cannot serve now, for a health check; empty when it answers. */
  public Optional<String> problem() {
    HikariDataSource open = pool;
    if (open == null) {
      return Optional.of("the status store is not open");
    }
    try (Connection connection = open.getConnection()) {
      return connection.isValid(VALIDATION_SECONDS)
          ? Optional.empty()
          : Optional.of("the status store at " + config.storeLocation() + " does not answer");
    } catch (SQLException e) {
      return Optional.of(
          "the status store at " + config.storeLocation() + " is unreachable: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }

  private StoreException translate(SQLException e) {
    String state = e.getSQLState();
    String message =
        "status store at " + config.storeLocation() + ": " + e.getMessage() + " (" + state + ")";
    return isTransient(e, state)
        ? new TransientStoreException(message, state, e)
        : new StoreException(message, state, e);
  }

  /** Connection trouble, lost conflicts, exhausted resources and shutdowns pass. */
  private static boolean isTransient(SQLException e, String state) {
    return e instanceof SQLTransientException
        || e instanceof SQLRecoverableException
        || (state != null
            && (state.startsWith("08")
                || state.startsWith("40")
                || state.startsWith("53")
                || state.startsWith("57P")));
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the pool discards it and the transaction is gone with it.
    }
  }

  private static String rootMessage(Throwable throwable) {
    Throwable cause = throwable;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage();
  }
}
