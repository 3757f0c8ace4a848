package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.messages.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonCommandTest {
  private final FakeBackends backends = new FakeBackends();

  @Test
  void coordinatorRunsWithTheConfigurationFromTheEnvironment() {
    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://127.0.0.1:5433/pgshuttle",
                "PGSHUTTLE_STORE_USER", "shuttle",
                "PGSHUTTLE_STORE_PASSWORD", "store-pw",
                "PGSHUTTLE_HTTP_PORT", "0",
                "PGSHUTTLE_SIGNING_KEY", "/keys/coordinator.ed25519.key",
                "PGSHUTTLE_EVENT_KEYS", "/keys/coordinator.x25519.key",
                "PGSHUTTLE_AGENT_KEYS", "/keys/agents"),
            backends,
            "coordinator");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(backends.coordinatorsRun).hasSize(1);
    CoordinatorConfig config = backends.coordinatorsRun.get(0);
    assertThat(config.storeUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/pgshuttle");
    assertThat(config.storeUser()).isEqualTo("shuttle");
    assertThat(config.storePassword()).isEqualTo(Secret.of("store-pw"));
    assertThat(config.httpPort()).isZero();
    assertThat(config.namespace()).isEqualTo("pgshuttle");
  }

  @Test
  void coordinatorWithProblemsPrintsEachAndDoesNotStart() {
    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_HTTP_PORT", "70000", "PGSHUTTLE_AMQP_URI", "amqp://u:amqp-pw@h/%2f"),
            backends,
            "coordinator");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("pgshuttle coordinator: PGSHUTTLE_STORE_URL must be a JDBC URL")
        .contains("pgshuttle coordinator: PGSHUTTLE_HTTP_PORT 70000 is not a TCP port")
        .contains("not started");
    assertThat(run.all()).doesNotContain("amqp-pw");
    assertThat(backends.coordinatorsRun).isEmpty();
  }

  @Test
  void agentRunsWithTheLocalDiskRootAsProviderSetting() {
    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_INSTANCE", "vm-1",
                "PGSHUTTLE_SOURCE_URL", "postgresql://postgres@127.0.0.1:5432",
                "PGSHUTTLE_LOCAL_DISK_ROOT", "/srv/disks",
                "PGSHUTTLE_STATE_DIR", "/srv/state",
                "PGSHUTTLE_SEALING_KEY", "/keys/vm-1.x25519.key",
                "PGSHUTTLE_COORDINATOR_KEYS", "/keys/coordinator.ed25519.pub",
                "PGSHUTTLE_COORDINATOR_EVENT_KEY", "/keys/coordinator.x25519.pub"),
            backends,
            "agent");

    assertThat(run.exitCode()).as(run.err()).isZero();
    AgentConfig config = backends.agentsRun.get(0);
    assertThat(config.instanceId()).isEqualTo("vm-1");
    assertThat(config.iaas()).isEqualTo("local");
    assertThat(config.iaasSettings()).containsExactly(Map.entry("root", "/srv/disks"));
    assertThat(config.stateDir()).isEqualTo(Path.of("/srv/state"));
  }

  @Test
  void agentWithoutInstanceOrStateDirDoesNotStart() {
    CliRun run = CliRun.run(Map.of(), backends, "agent");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err())
        .contains("PGSHUTTLE_INSTANCE is not set")
        .contains("PGSHUTTLE_SOURCE_URL is not set")
        .contains("PGSHUTTLE_STATE_DIR is not set")
        .contains("PGSHUTTLE_LOCAL_DISK_ROOT is not set");
    assertThat(backends.agentsRun).isEmpty();
  }

  @Test
  void aDaemonThatCannotStartExitsWithCode3() {
    backends.daemonFailure = new IOException("cannot connect to the store at 127.0.0.1:5433");

    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://127.0.0.1:5433/pgshuttle",
                "PGSHUTTLE_SIGNING_KEY", "/keys/coordinator.ed25519.key",
                "PGSHUTTLE_EVENT_KEYS", "/keys/coordinator.x25519.key",
                "PGSHUTTLE_AGENT_KEYS", "/keys/agents"),
            backends,
            "coordinator");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(run.err()).contains("cannot connect to the store at 127.0.0.1:5433");
  }

  @Test
  void aNonNumericPortIsBadInput() {
    CliRun run =
        CliRun.run(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://h/db", "PGSHUTTLE_HTTP_PORT", "eighty"),
            backends,
            "coordinator");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("PGSHUTTLE_HTTP_PORT 'eighty' is not a whole number");
    assertThat(backends.coordinatorsRun).isEmpty();
  }
}
