package io.pgshuttle.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own: a copy of what {@code initdb} writes, in a temporary directory,
 * {@code pg_ctl start} on a free port of 127.0.0.1. {@link #close()} stops it and deletes its
 * files. Not thread-safe.
 *
 * <p>Server binaries come from {@code PGSHUTTLE_TEST_PG_BINDIR}, else {@code
 * /usr/lib/postgresql/15/bin}. When the JVM runs as root, cluster commands run as the {@code
 * postgres} user, since initdb refuses root.
 */
public final class PostgresCluster implements AutoCloseable {
  public static final String SUPERUSER = "postgres";
  private static final String DEFAULT_BINDIR = "/usr/lib/postgresql/15/bin";

  private final Path binDir;
  private final Path baseDir;
  private final Path dataDir;
  private final int port;
  private final String password;

  private PostgresCluster(Path binDir, Path baseDir, int port, String password) {
    this.binDir = binDir;
    this.baseDir = baseDir;
    this.dataDir = baseDir.resolve("data");
    this.port = port;
    this.password = password;
  }

  /** The system's client and server binaries, as tests use them. */
  public static Path defaultBinDir() {
    String configured = System.getenv("PGSHUTTLE_TEST_PG_BINDIR");
    return Path.of(configured == null || configured.isBlank() ? DEFAULT_BINDIR : configured);
  }

  /** Starts a cluster whose superuser {@code postgres} logs in over TCP without a password. */
  public static PostgresCluster startTrusting() {
    return start(null);
  }

  /**
   * Starts a cluster whose superuser {@code postgres} must give {@code superuserPassword} over TCP
   * (scram-sha-256).
   */
  public static PostgresCluster startWithPassword(String superuserPassword) {
    return start(superuserPassword);
  }

  private static PostgresCluster start(String password) {
    try {
      Path base = Files.createTempDirectory("pgshuttle-pg-");
      PostgresCluster cluster = new PostgresCluster(defaultBinDir(), base, freePort(), password);
      cluster.init();
      cluster.start();
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A copy of the template data directory of this machine's binaries ({@link #template}), which
   * costs a fraction of an initdb. A cluster with a password gets scram-sha-256 for TCP in its
   * pg_hba.conf, as {@code initdb --auth-host=scram-sha-256} writes it, and its password from a
   * single-user backend that reads it on stdin, so it is in no process's arguments.
   */
  private void init() throws IOException {
    Path template = template(binDir);
    Files.createDirectories(baseDir.resolve("sockets"));
    if (isRoot()) {
      run(List.of("chown", "-R", "postgres:postgres", baseDir.toString()));
    }
    runAsPostgres(List.of("cp", "-a", template.toString(), dataDir.toString()));
    if (password != null) {
      Path hba = dataDir.resolve("pg_hba.conf");
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(hba, StandardCharsets.UTF_8)) {
        lines.add(
            line.startsWith("host") ? line.replaceFirst("trust\\s*$", "scram-sha-256") : line);
      }
      Files.write(hba, lines, StandardCharsets.UTF_8);
      runAsPostgres(
          List.of(
              binDir.resolve("postgres").toString(),
              "--single",
              "-D",
              dataDir.toString(),
              "-c",
              "fsync=off",
              "postgres"),
          "ALTER ROLE " + SUPERUSER + " PASSWORD '" + password.replace("'", "''") + "'\n");
    }
  }

  /**
   * The data directory initdb writes for {@code binDir} (superuser {@code postgres}, UTF8, locale
   * C.UTF-8, trust for local and TCP logins), made once per machine and server binary under the
   * temporary directory. Made in a directory of its own and renamed into place, so concurrent test
   * JVMs never see half of one.
   */
  private static Path template(Path binDir) throws IOException {
    List<String> options =
        List.of(
            "-U",
            SUPERUSER,
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=trust",
            "--no-sync");
    Path postgres = binDir.resolve("postgres");
    String key =
        Integer.toHexString(
            String.join(
                    "|",
                    binDir.toAbsolutePath().toString(),
                    Long.toString(Files.size(postgres)),
                    Long.toString(Files.getLastModifiedTime(postgres).toMillis()),
                    String.join(" ", options))
                .hashCode());
    Path root = Path.of(System.getProperty("java.io.tmpdir"));
    Path template = root.resolve("pgshuttle-pg-template-" + key);
    if (Files.isDirectory(template.resolve("data"))) {
      return template.resolve("data");
    }
    Path making = Files.createTempDirectory(root, "pgshuttle-pg-template-making-");
    Files.setPosixFilePermissions(making, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", making.toString()));
    }
    List<String> initdb =
        new ArrayList<>(
            List.of(binDir.resolve("initdb").toString(), "-D", making.resolve("data").toString()));
    initdb.addAll(options);
    runAsPostgres(initdb);
    try {
      Files.move(making, template, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException anotherJvmWasFirst) {
      if (!Files.isDirectory(template.resolve("data"))) {
        throw anotherJvmWasFirst;
      }
      deleteRecursively(making);
    }
    return template.resolve("data");
  }

  /** Starts the server (again, after {@link #stop()}). Waits until it accepts connections. */
  public void start() {
    runAsPostgres(
        List.of(
            binDir.resolve("pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-l",
            baseDir.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p "
                + port
                + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
                + " -c unix_socket_directories="
                + baseDir.resolve("sockets"),
            "start"));
  }

  /** Stops the server with a fast shutdown (sessions are ended), and waits. */
  public void stop() {
    runAsPostgres(
        List.of(
            binDir.resolve("pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-w",
            "-m",
            "fast",
            "stop"));
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** The superuser's password, or null for a trusting cluster. */
  public String password() {
    return password;
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT}, without the password. */
  public String url() {
    return "postgresql://" + SUPERUSER + "@" + host() + ":" + port;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + urlEncode(database);
  }

  /** A new superuser connection to {@code database}. */
  public Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SUPERUSER);
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  /** Runs each statement in {@code database}, autocommit, as the superuser. */
  public void execute(String database, String... statements) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed in " + database + ": " + e.getMessage(), e);
    }
  }

  /**
   * Turns TLS on ({@code ssl = on}) with {@code certificate} and its {@code key}, copied into the
   * cluster's directory where only the server's user may read the key, and reloads the server.
   */
  public void enableSsl(Path certificate, Path key) {
    try {
      Path cert = Files.copy(certificate, baseDir.resolve("server.crt"));
      Path privateKey = Files.copy(key, baseDir.resolve("server.key"));
      Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
      if (isRoot()) {
        run(List.of("chown", "postgres:postgres", cert.toString(), privateKey.toString()));
      }
      execute(
          "postgres",
          "ALTER SYSTEM SET ssl_cert_file = '" + cert + "'",
          "ALTER SYSTEM SET ssl_key_file = '" + privateKey + "'",
          "ALTER SYSTEM SET ssl = on",
          "SELECT pg_reload_conf()");
      // The postmaster reloads when it gets to the signal: new sessions then see ssl on.
      long deadline = System.currentTimeMillis() + 30_000;
      while (!"on".equals(queryValue("postgres", "SHOW ssl"))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("ssl did not turn on:\n" + serverLog());
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The rows of a query, each a list of column values as text (null stays null). */
  public List<List<String>> query(String database, String sql) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      int columns = rows.getMetaData().getColumnCount();
      List<List<String>> result = new ArrayList<>();
      while (rows.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rows.getString(i));
        }
        result.add(row);
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed in " + database + ": " + e.getMessage(), e);
    }
  }

  /** The first column of a one-row query. */
  public String queryValue(String database, String sql) {
    List<List<String>> rows = query(database, sql);
    if (rows.size() != 1) {
      throw new IllegalStateException("expected one row from " + sql + ", got " + rows.size());
    }
    return rows.get(0).get(0);
  }

  /** The names of the databases other than templates and {@code postgres}, sorted. */
  public List<String> userDatabases() {
    return query(
            "postgres",
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
                + " ORDER BY datname")
        .stream()
        .map(row -> row.get(0))
        .toList();
  }

  /** The server's log so far, for a failing test's message. */
  public String serverLog() {
    try {
      return Files.readString(baseDir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      runAsPostgres(
          List.of(
              binDir.resolve("pg_ctl").toString(),
              "-D",
              dataDir.toString(),
              "-m",
              "immediate",
              "stop"));
    } catch (IllegalStateException alreadyStopped) {
      // Stopped by the test itself; the files still go.
    }
    deleteRecursively(baseDir);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void runAsPostgres(List<String> command) {
    runAsPostgres(command, null);
  }

  /** Runs {@code command} as postgres (see the class), with {@code input} on its stdin if given. */
  private static void runAsPostgres(List<String> command, String input) {
    if (isRoot()) {
      List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
      wrapped.addAll(command);
      run(wrapped, input);
    } else {
      run(command, input);
    }
  }

  private static void run(List<String> command) {
    run(command, null);
  }

  private static void run(List<String> command, String input) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (var stdin = process.getOutputStream()) {
        if (input != null) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + process.exitValue() + ":\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String urlEncode(String database) {
    return java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Deletes a directory tree; quietly skips what is gone. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes {@code directory} readable and writable by everyone, so postgres-run tools can use it.
   */
  public static void openToAll(Path directory) {
    try {
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
