package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.cli.config.ConfigLoader;
import io.pgshuttle.cli.config.Validated;
import io.pgshuttle.coordinator.CoordinatorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemons' {@code --config} with real files, including the examples shipped in config/. */
class ConfigFileIT {
  private final FakeBackends backends = new FakeBackends();

  @Test
  void theExampleFilesAreCompleteAndValid() throws IOException {
    ConfigLoader loader = new ConfigLoader(Map.of());

    Validated<CoordinatorConfig> coordinator =
        loader.coordinator(loader.parse(read("config/coordinator.yml"), "coordinator.yml"));
    Validated<AgentConfig> agent =
        loader.agent(loader.parse(read("config/agent.yml"), "agent.yml"));

    assertThat(coordinator.problems()).isEmpty();
    assertThat(agent.problems()).isEmpty();
    assertThat(agent.config().iaasSettings()).containsEntry("root", "/var/lib/pgshuttle/disks");
  }

  @Test
  void theDaemonsReadTheFileNamedByConfig() {
    CliRun run =
        CliRun.run(
            Map.of("PGSHUTTLE_HTTP_PORT", "9191"),
            backends,
            "coordinator",
            "--config",
            Path.of("config/coordinator.yml").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    CoordinatorConfig config = backends.coordinatorsRun.get(0);
    assertThat(config.storeUrl()).isEqualTo("jdbc:postgresql://localhost:5432/pgshuttle");
    assertThat(config.httpPort()).isEqualTo(9191);
  }

  @Test
  void aMissingFileIsBadInput(@TempDir Path directory) {
    CliRun run =
        CliRun.run(
            Map.of(), backends, "agent", "--config", directory.resolve("absent.yml").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("absent.yml does not exist");
    assertThat(backends.agentsRun).isEmpty();
  }

  @Test
  void anUnknownKeyNamesTheKeyAndTheFile(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("agent.yml");
    Files.writeString(file, "agent:\n  instanceId: vm-1\n");

    CliRun run = CliRun.run(Map.of(), backends, "agent", "--config", file.toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("unknown key 'agent.instanceId' in " + file);
    assertThat(backends.agentsRun).isEmpty();
  }

  private static String read(String path) throws IOException {
    return Files.readString(Path.of(path), StandardCharsets.UTF_8);
  }
}
