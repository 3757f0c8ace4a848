package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.pipeline.NonRetryableStepException;
import io.pgshuttle.agent.pipeline.TestCancellation;
import io.pgshuttle.messages.SslMode;
import io.pgshuttle.testkit.PostgresCluster;
import io.pgshuttle.testkit.TestCertificates;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sslmode verify-full against a throwaway cluster with {@code ssl=on} and a certificate for {@code
 * localhost} signed by a CA the test makes: JDBC and the tools trust that CA through the agent's
 * setting, and refuse another CA or a host name the certificate does not hold.
 */
class TargetTlsIT {
  @AutoClose static final PostgresCluster target = PostgresCluster.startTrusting();
  @TempDir static Path work;
  static TestCertificates ca;
  static TestCertificates otherCa;

  @BeforeAll
  static void turnOnTls() {
    ca = TestCertificates.authority(work.resolve("ca"), "target-ca");
    otherCa = TestCertificates.authority(work.resolve("other"), "other-ca");
    Path server = ca.issue("localhost", List.of("localhost"));
    target.enableSsl(server, TestCertificates.keyOf(server));
  }

  @Test
  void verifyFullWithTheRightCaAndHostConnectsOverTls() throws Exception {
    try (Connection connection =
            new PgConnector(ca.caFile()).connectMaintenance(endpoint("localhost"));
        ResultSet ssl =
            connection
                .createStatement()
                .executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(ssl.next()).isTrue();
      assertThat(ssl.getBoolean(1)).isTrue();
    }
  }

  @Test
  void aHostNameTheCertificateDoesNotHoldIsRefusedForGood() {
    assertThatThrownBy(() -> new PgConnector(ca.caFile()).connectMaintenance(endpoint("127.0.0.1")))
        .isInstanceOf(NonRetryableStepException.class)
        .hasMessageContaining("TLS with the target at 127.0.0.1:" + target.port() + " failed")
        .hasMessageContaining("PGSHUTTLE_TARGET_SSLROOTCERT");
  }

  @Test
  void aCertificateOfAnotherCaIsRefusedForGood() {
    assertThatThrownBy(
            () -> new PgConnector(otherCa.caFile()).connectMaintenance(endpoint("localhost")))
        .isInstanceOf(NonRetryableStepException.class)
        .hasMessageContaining("TLS with the target")
        .hasMessageContaining("verify-full");
  }

  @Test
  void theToolsGetTheCaThroughTheEnvironment() throws Exception {
    ToolInvocation select =
        ToolInvocation.of(
            PgTools.PSQL,
            endpoint("localhost"),
            List.of(
                "--dbname=" + ConnInfo.of(endpoint("localhost"), "postgres"),
                "--command=SELECT 1"));

    ToolResult trusted =
        new PgTools(PostgresCluster.defaultBinDir(), work.resolve("pass"), ca.caFile())
            .run(select, new TestCancellation());
    ToolResult untrusted =
        new PgTools(PostgresCluster.defaultBinDir(), work.resolve("pass"), otherCa.caFile())
            .run(select, new TestCancellation());

    assertThat(trusted.succeeded()).as(trusted.describeFailure()).isTrue();
    assertThat(untrusted.succeeded()).isFalse();
    assertThat(untrusted.describeFailure()).contains("certificate verify failed");
  }

  private static PgEndpoint endpoint(String host) {
    return new PgEndpoint(
        PgEndpoint.TARGET,
        host,
        target.port(),
        PostgresCluster.SUPERUSER,
        null,
        SslMode.VERIFY_FULL);
  }
}
