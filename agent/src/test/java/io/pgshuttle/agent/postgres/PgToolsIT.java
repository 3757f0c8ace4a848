package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tools run with a private password file, a clean environment, and die with a cancel. */
class PgToolsIT {
  private static final String PASSWORD = "tool-secret:1";
  private static final PgEndpoint SERVER =
      new PgEndpoint("target", "db.example", 5432, "admin", Secret.of(PASSWORD), SslMode.PREFER);

  @TempDir Path tools;

  private void script(String name, String body) throws Exception {
    Path file = tools.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void toolsGetThePasswordThroughAPrivatePassFileOnly() throws Exception {
    Path seen = tools.resolve("seen");
    script(
        "pg_dump",
        "{ echo \"args: $*\"; echo \"pgpassword: ${PGPASSWORD:-none}\";"
            + " stat -c 'mode: %a' \"$PGPASSFILE\"; cat \"$PGPASSFILE\"; } > "
            + seen
            + "\necho 'pg_dump: error: it failed' >&2\nexit 3\n");
    List<String> stderr = new CopyOnWriteArrayList<>();

    ToolResult result =
        new PgTools(tools, tools.resolve("pgpass"))
            .run(
                ToolInvocation.of(PgTools.PG_DUMP, SERVER, List.of("--dbname=x"))
                    .onStderrLine(stderr::add),
                new TestCancellation());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.succeeded()).isFalse();
    assertThat(stderr).containsExactly("pg_dump: error: it failed");
    assertThat(Files.readAllLines(seen))
        .containsExactly(
            "args: --dbname=x",
            "pgpassword: none",
            "mode: 600",
            "db.example:5432:*:admin:tool-secret\\:1");
    try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.filter(file -> file.getFileName().toString().startsWith("pgshuttle-pgpass")))
          .as("password files are deleted after the run")
          .noneMatch(file -> Files.exists(file) && readable(file).contains(PASSWORD));
    }
  }

  private static String readable(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      return "";
    }
  }

  @Test
  void cancellingStopsTheToolAndItsChildren() throws Exception {
    Path childPid = tools.resolve("child.pid");
    script("pg_restore", "sleep 60 &\necho $! > " + childPid + "\nwait\n");
    TestCancellation cancellation = new TestCancellation();
    AtomicInteger ticks = new AtomicInteger();
    long start = System.nanoTime();

    ToolResult result =
        new PgTools(tools, tools.resolve("pgpass"))
            .run(
                ToolInvocation.of(PgTools.PG_RESTORE, SERVER, List.of())
                    .every(
                        Duration.ofMillis(50),
                        () -> {
                          if (ticks.incrementAndGet() == 5) {
                            cancellation.cancel();
                          }
                        }),
                cancellation);

    assertThat(result.cancelled()).isTrue();
    assertThat(result.succeeded()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    long child = Long.parseLong(Files.readString(childPid).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> !running(child));
  }

  /** Whether the process runs: it exists and is not a zombie (nobody may reap it here). */
  private static boolean running(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    String text = readable(stat);
    if (text.isEmpty()) {
      return false;
    }
    String afterName = text.substring(text.lastIndexOf(')') + 2);
    return afterName.charAt(0) != 'Z';
  }

  @Test
  void aMissingToolNamesTheSettingToFix() {
    assertThatThrownBy(() -> new PgTools(tools, tools.resolve("pgpass")).binary(PgTools.PSQL))
        .isInstanceOf(NonRetryableStepException.class)
        .hasMessageContaining("psql")
        .hasMessageContaining("PGSHUTTLE_PG_BINDIR");
  }
}
