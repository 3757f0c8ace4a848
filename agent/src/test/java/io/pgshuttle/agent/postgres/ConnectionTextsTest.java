package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.TargetServer;
import org.junit.jupiter.api.Test;

/** Endpoint parsing, conninfo strings and password file lines. */
class ConnectionTextsTest {
  @Test
  void sourceUrlGivesUserHostPortAndSslmode() {
    PgEndpoint source = PgEndpoint.source("postgresql://vcap@10.0.0.5:6432?sslmode=require", null);

    assertThat(source)
        .isEqualTo(new PgEndpoint("source", "10.0.0.5", 6432, "vcap", null, SslMode.REQUIRE));
    assertThat(PgEndpoint.source("postgresql://127.0.0.1", null).user()).isEqualTo("postgres");
    assertThat(PgEndpoint.source("postgresql://127.0.0.1", null).port()).isEqualTo(5432);
    assertThat(PgEndpoint.source("postgresql://u@[::1]:5433", null).address())
        .isEqualTo("[::1]:5433");
    assertThatThrownBy(() -> PgEndpoint.source("mysql://x", null))
        .hasMessageContaining("PGSHUTTLE_SOURCE_URL");
  }

  @Test
  void endpointsNeverPrintThePassword() {
    PgEndpoint target =
        PgEndpoint.target(
            new TargetServer("db", 5432, "admin", Secret.of("hunter2"), SslMode.VERIFY_FULL));

    assertThat(target.toString()).isEqualTo("target admin@db:5432").doesNotContain("hunter2");
  }

  @Test
  void conninfoQuotesEveryValue() {
    PgEndpoint target =
        new PgEndpoint("target", "db.example", 5432, "o'neil", null, SslMode.VERIFY_FULL);

    assertThat(ConnInfo.of(target, "Ünïcode Db=1 \\x"))
        .isEqualTo(
            "host='db.example' port=5432 user='o\\'neil' dbname='Ünïcode Db=1 \\\\x'"
                + " sslmode=verify-full connect_timeout=10 application_name=pgshuttle-agent");
  }

  @Test
  void passfileLinesEscapeColonsAndBackslashes() {
    PgEndpoint withPassword =
        new PgEndpoint("target", "::1", 5432, "ad:min", Secret.of("p:w\\d"), SslMode.PREFER);

    assertThat(PgPassFile.line(withPassword)).isEqualTo("\\:\\:1:5432:*:ad\\:min:p\\:w\\\\d\n");
    assertThat(PgPassFile.line(new PgEndpoint("source", "h", 1, "u", null, SslMode.PREFER)))
        .isEmpty();
  }
}
