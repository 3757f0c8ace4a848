package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlobalsFilterTest {
  /** pg_dumpall --globals-only output of PostgreSQL 15, with the awkward cases. */
  private static final String GLOBALS =
      """
      --
      -- PostgreSQL database cluster dump
      --

      \\restrict AbC123

      SET default_transaction_read_only = off;

      SET client_encoding = 'UTF8';
      SET standard_conforming_strings = on;

      --
      -- Roles
      --

      CREATE ROLE "Mixed ""Role\""";
      ALTER ROLE "Mixed ""Role\""" WITH NOSUPERUSER INHERIT NOLOGIN;
      CREATE ROLE app;
      ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc=;def';
      COMMENT ON ROLE app IS 'two
      lines; with ALTER ROLE postgres inside';
      CREATE ROLE postgres;
      ALTER ROLE postgres WITH SUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$4096:target';
      CREATE ROLE "Ünïcode";
      SECURITY LABEL FOR selinux ON ROLE postgres IS 'label';

      ALTER ROLE app SET search_path TO '$user', 'public';
      ALTER ROLE postgres SET work_mem TO '64MB';

      GRANT app TO "Mixed ""Role\""" GRANTED BY postgres;

      \\unrestrict AbC123
      """;

  @Test
  void dropsStatementsAboutRolesTheTargetHasAndListsTheRolesItCreates() {
    GlobalsFilter.Result result = GlobalsFilter.filter(GLOBALS, Set.of("postgres", "pg_monitor"));

    assertThat(result.createdRoles()).containsExactly("Mixed \"Role\"", "app", "Ünïcode");
    assertThat(result.script())
        .contains(
            "\\restrict AbC123",
            "CREATE ROLE \"Mixed \"\"Role\"\"\";",
            "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc=;def';",
            "COMMENT ON ROLE app IS 'two\nlines; with ALTER ROLE postgres inside';",
            "ALTER ROLE app SET search_path TO '$user', 'public';",
            "GRANT app TO \"Mixed \"\"Role\"\"\" GRANTED BY postgres;",
            "\\unrestrict AbC123")
        .doesNotContain(
            "CREATE ROLE postgres;",
            "SCRAM-SHA-256$4096:target",
            "SECURITY LABEL",
            "SET work_mem TO '64MB'");
  }

  @Test
  void keepsEverythingWhenTheTargetHasNoneOfTheRoles() {
    GlobalsFilter.Result result = GlobalsFilter.filter(GLOBALS, Set.of());

    assertThat(result.script()).isEqualTo(GLOBALS);
    assertThat(result.createdRoles())
        .containsExactly("Mixed \"Role\"", "app", "postgres", "Ünïcode");
  }

  @Test
  void quotedRoleNamesAreMatchedExactlyAndUnquotedOnesFolded() {
    String script = "CREATE ROLE Reader;\nCREATE ROLE \"Reader\";\n";

    GlobalsFilter.Result result = GlobalsFilter.filter(script, Set.of("reader"));

    assertThat(result.createdRoles()).containsExactly("Reader");
    assertThat(result.script()).isEqualTo("\nCREATE ROLE \"Reader\";\n");
  }

  @Test
  void splitsStatementsAroundQuotesCommentsAndDollarQuotes() {
    String script =
        "SELECT 'a;b'; -- c;d\n/* e; /* f; */ g; */ SELECT $x$ h; $x$;\n"
            + "SELECT \"i;j\"; SELECT E'k\\';l'; \\meta line;\nSELECT 1";

    List<String> statements =
        SqlScript.statements(script).stream()
            .map(span -> script.substring(span.start(), span.end()))
            .toList();

    assertThat(statements)
        .containsExactly(
            "SELECT 'a;b';",
            "SELECT $x$ h; $x$;",
            "SELECT \"i;j\";",
            "SELECT E'k\\';l';",
            "\\meta line;",
            "SELECT 1");
  }
}
