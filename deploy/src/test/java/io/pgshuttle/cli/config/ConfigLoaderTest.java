package io.pgshuttle.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.coordinator.http.ApiToken;
import io.pgshuttle.coordinator.http.Scope;
import io.pgshuttle.messages.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final String FULL =
      """
      amqp:
        uri: amqp://shuttle:broker-pw@rabbit.example:5672/prod
        namespace: pgshuttle-prod
      coordinator:
        storeUrl: jdbc:postgresql://store.example:5432/pgshuttle
        storeUser: shuttle
        storePassword: store-pw
        httpPort: 9090
        heartbeatTimeout: PT3M
        retryInitialBackoff: 10s
        retryMaxBackoff: 10m
        sweepInterval: 30m
        apiTokens:
          - name: ops
            scope: operate
            token: ops-token-0123456789
          - name: dashboard
            scope: read
            token: read-token-0123456789
        signingKey: /etc/pgshuttle/coordinator.ed25519.key
        eventKeys:
          - /etc/pgshuttle/coordinator.x25519.key
          - /etc/pgshuttle/coordinator-next.x25519.key
        agentKeys: /etc/pgshuttle/agents
        commandValidity: 2h
      agent:
        instance: vm-0001
        sourceUrl: postgresql://vcap@127.0.0.1:5524
        sourcePassword: source-pw
        pgBindir: /var/vcap/packages/postgres-15/bin
        iaas: local
        localDiskRoot: /var/vcap/store/disks
        stateDir: /var/vcap/store/pgshuttle
        diskSizeGiB: 50
        heartbeatInterval: 10s
        progressInterval: 500ms
        sweepInterval: 30m
        sealingKey: /var/vcap/jobs/pgshuttle/keys/vm-0001.x25519.key
        coordinatorKeys:
          - /var/vcap/jobs/pgshuttle/keys/coordinator.ed25519.pub
          - /var/vcap/jobs/pgshuttle/keys/coordinator-next.ed25519.pub
        coordinatorEventKey: /var/vcap/jobs/pgshuttle/keys/coordinator.x25519.pub
      """;

  @Test
  void readsEverySettingOfTheCoordinator() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    Validated<CoordinatorConfig> validated = loader.coordinator(loader.parse(FULL, "all.yml"));

    assertThat(validated.problems()).isEmpty();
    assertThat(validated.config())
        .isEqualTo(
            new CoordinatorConfig(
                "amqp://shuttle:broker-pw@rabbit.example:5672/prod",
                "pgshuttle-prod",
                "jdbc:postgresql://store.example:5432/pgshuttle",
                "shuttle",
                Secret.of("store-pw"),
                9090,
                Duration.ofMinutes(3),
                Duration.ofSeconds(10),
                Duration.ofMinutes(10),
                Duration.ofMinutes(30),
                List.of(
                    new ApiToken("ops", Scope.OPERATE, Secret.of("ops-token-0123456789")),
                    new ApiToken("dashboard", Scope.READ, Secret.of("read-token-0123456789"))),
                Path.of("/etc/pgshuttle/coordinator.ed25519.key"),
                List.of(
                    Path.of("/etc/pgshuttle/coordinator.x25519.key"),
                    Path.of("/etc/pgshuttle/coordinator-next.x25519.key")),
                Path.of("/etc/pgshuttle/agents"),
                Duration.ofHours(2),
                null));
  }

  @Test
  void apiTokensOfTheEnvironmentReplaceTheFilesAndBadEntriesAreProblemsWithoutTheToken() {
    ConfigLoader fromEnvironment =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://db:5432/s",
                "PGSHUTTLE_API_TOKENS",
                    "cli:operate:env-token-0123456789, ui:read:ui-token-0123456789"));
    Validated<CoordinatorConfig> good =
        fromEnvironment.coordinator(fromEnvironment.parse(FULL, "all.yml"));

    assertThat(good.problems()).isEmpty();
    assertThat(good.config().apiTokens())
        .containsExactly(
            new ApiToken("cli", Scope.OPERATE, Secret.of("env-token-0123456789")),
            new ApiToken("ui", Scope.READ, Secret.of("ui-token-0123456789")));

    ConfigLoader bad =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://db:5432/s",
                "PGSHUTTLE_API_TOKENS", "no-colons-secret-value,ops:admin:admin-token-0123456789"));
    List<String> problems = bad.coordinator(ConfigFile.empty()).problems();

    assertThat(problems)
        .anyMatch(
            problem -> problem.contains("PGSHUTTLE_API_TOKENS entry 1 is not NAME:SCOPE:TOKEN"))
        .anyMatch(problem -> problem.contains("scope 'admin' of token 'ops' is unknown"))
        .noneMatch(problem -> problem.contains("secret-value") || problem.contains("admin-token"));
    ConfigLoader fileOnly =
        new ConfigLoader(Map.of("PGSHUTTLE_STORE_URL", "jdbc:postgresql://db:5432/s"));
    assertThat(
            fileOnly
                .coordinator(
                    fileOnly.parse("coordinator:\n  apiTokens:\n    - name: ops\n", "t.yml"))
                .problems())
        .anyMatch(problem -> problem.contains("coordinator.apiTokens[0] needs name, scope"));
  }

  @Test
  void readsEverySettingOfTheAgent() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    Validated<AgentConfig> validated = loader.agent(loader.parse(FULL, "all.yml"));

    assertThat(validated.problems()).isEmpty();
    assertThat(validated.config())
        .isEqualTo(
            new AgentConfig(
                "amqp://shuttle:broker-pw@rabbit.example:5672/prod",
                "pgshuttle-prod",
                "vm-0001",
                "postgresql://vcap@127.0.0.1:5524",
                Secret.of("source-pw"),
                Path.of("/var/vcap/packages/postgres-15/bin"),
                "local",
                Map.of("root", "/var/vcap/store/disks"),
                Path.of("/var/vcap/store/pgshuttle"),
                null,
                50,
                Duration.ofSeconds(10),
                Duration.ofMillis(500),
                Duration.ofMinutes(30),
                Path.of("/var/vcap/jobs/pgshuttle/keys/vm-0001.x25519.key"),
                List.of(
                    Path.of("/var/vcap/jobs/pgshuttle/keys/coordinator.ed25519.pub"),
                    Path.of("/var/vcap/jobs/pgshuttle/keys/coordinator-next.ed25519.pub")),
                Path.of("/var/vcap/jobs/pgshuttle/keys/coordinator.x25519.pub"),
                null,
                null));
  }

  @Test
  void theTlsSettingsBecomeQueryParametersOfTheBrokerUri() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_AMQP_URI", "amqps://rabbit.example:5671/prod",
                "PGSHUTTLE_AMQP_KEY_FILE", "/etc/pgshuttle/agent key.pem"));
    String yaml =
        """
        amqp:
          caFile: /etc/pgshuttle/ca.pem
          certFile: /etc/pgshuttle/agent.pem
          authMechanism: external
        coordinator:
          storeUrl: jdbc:postgresql://db/store
        """;

    Validated<CoordinatorConfig> validated = loader.coordinator(loader.parse(yaml, "tls.yml"));

    assertThat(validated.config().amqpUri())
        .isEqualTo(
            "amqps://rabbit.example:5671/prod?cacertfile=%2Fetc%2Fpgshuttle%2Fca.pem"
                + "&certfile=%2Fetc%2Fpgshuttle%2Fagent.pem"
                + "&keyfile=%2Fetc%2Fpgshuttle%2Fagent+key.pem&auth_mechanism=external");
  }

  @Test
  void readsACloudProvidersSettingsAndTheDeviceRoot() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_DEVICE_ROOT", "/tmp/fake-vm",
                "PGSHUTTLE_SEALING_KEY", "/keys/vm-0002.x25519.key",
                "PGSHUTTLE_COORDINATOR_KEYS", "/keys/coordinator.ed25519.pub",
                "PGSHUTTLE_COORDINATOR_EVENT_KEY", "/keys/coordinator.x25519.pub"));
    String yaml =
        """
        agent:
          instance: vm-0002
          sourceUrl: postgresql://vcap@127.0.0.1:5524
          stateDir: /var/vcap/store/pgshuttle
          iaas: gcp
          iaasSettings:
            project: fleet-prod
            zone: europe-west1-b
            vmId: vm-0002
        """;

    Validated<AgentConfig> validated = loader.agent(loader.parse(yaml, "gcp.yml"));

    assertThat(validated.problems()).isEmpty();
    assertThat(validated.config().iaas()).isEqualTo("gcp");
    assertThat(validated.config().iaasSettings())
        .isEqualTo(Map.of("project", "fleet-prod", "zone", "europe-west1-b", "vmId", "vm-0002"));
    assertThat(validated.config().deviceRoot()).isEqualTo(Path.of("/tmp/fake-vm"));
  }

  @Test
  void environmentVariablesWinOverTheFile() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.ofEntries(
                Map.entry("PGSHUTTLE_AMQP_URI", "amqp://other/%2f"),
                Map.entry("PGSHUTTLE_NAMESPACE", "ns2"),
                Map.entry("PGSHUTTLE_STORE_URL", "jdbc:postgresql://other/db"),
                Map.entry("PGSHUTTLE_STORE_USER", "u2"),
                Map.entry("PGSHUTTLE_STORE_PASSWORD", "pw2"),
                Map.entry("PGSHUTTLE_HTTP_PORT", "8181"),
                Map.entry("PGSHUTTLE_INSTANCE", "vm-2"),
                Map.entry("PGSHUTTLE_SOURCE_URL", "postgresql://postgres@127.0.0.1:5432"),
                Map.entry("PGSHUTTLE_SOURCE_PASSWORD", "spw2"),
                Map.entry("PGSHUTTLE_PG_BINDIR", "/opt/pg/bin"),
                Map.entry("PGSHUTTLE_IAAS", "local"),
                Map.entry("PGSHUTTLE_LOCAL_DISK_ROOT", "/mnt/disks"),
                Map.entry("PGSHUTTLE_STATE_DIR", "/mnt/state"),
                Map.entry("PGSHUTTLE_SWEEP_INTERVAL", "PT2M")));
    ConfigFile file = loader.parse(FULL, "all.yml");

    CoordinatorConfig coordinator = loader.coordinator(file).config();
    AgentConfig agent = loader.agent(file).config();

    assertThat(coordinator.amqpUri()).isEqualTo("amqp://other/%2f");
    assertThat(coordinator.namespace()).isEqualTo("ns2");
    assertThat(coordinator.storeUrl()).isEqualTo("jdbc:postgresql://other/db");
    assertThat(coordinator.storeUser()).isEqualTo("u2");
    assertThat(coordinator.storePassword()).isEqualTo(Secret.of("pw2"));
    assertThat(coordinator.httpPort()).isEqualTo(8181);
    assertThat(agent.instanceId()).isEqualTo("vm-2");
    assertThat(agent.sourceUrl()).isEqualTo("postgresql://postgres@127.0.0.1:5432");
    assertThat(agent.sourcePassword()).isEqualTo(Secret.of("spw2"));
    assertThat(agent.pgBindir()).isEqualTo(Path.of("/opt/pg/bin"));
    assertThat(agent.iaasSettings()).containsExactly(Map.entry("root", "/mnt/disks"));
    assertThat(agent.stateDir()).isEqualTo(Path.of("/mnt/state"));
    assertThat(agent.sweepInterval()).isEqualTo(Duration.ofMinutes(2));
    // What the environment does not name still comes from the file.
    assertThat(coordinator.heartbeatTimeout()).isEqualTo(Duration.ofMinutes(3));
    assertThat(agent.diskSizeGiB()).isEqualTo(50);
  }

  @Test
  void blankEnvironmentVariablesCountAsUnset() {
    ConfigLoader loader = new ConfigLoader(Map.of("PGSHUTTLE_STORE_USER", " "));

    assertThat(loader.coordinator(loader.parse(FULL, "all.yml")).config().storeUser())
        .isEqualTo("shuttle");
  }

  @Test
  void aBreakpointIsArmedOnlyByItsKnownName() {
    ConfigLoader armed = new ConfigLoader(Map.of("PGSHUTTLE_TEST_BREAKPOINT", "event-folded"));
    ConfigLoader unknown = new ConfigLoader(Map.of("PGSHUTTLE_TEST_BREAKPOINT", "cutover"));

    Validated<CoordinatorConfig> coordinator = armed.coordinator(armed.parse(FULL, "all.yml"));
    Validated<AgentConfig> agent = unknown.agent(unknown.parse(FULL, "all.yml"));

    assertThat(coordinator.problems()).isEmpty();
    assertThat(coordinator.config().breakpoint()).isEqualTo("event-folded");
    assertThat(agent.problems())
        .containsExactly(
            "PGSHUTTLE_TEST_BREAKPOINT 'cutover' is unknown: unset it (it is for fault tests) or"
                + " use one of verify-started, cutover-between-renames, cutover-committed");
  }

  @Test
  void defaultsFillWhatNeitherSets() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    CoordinatorConfig coordinator = loader.coordinator(ConfigFile.empty()).config();
    AgentConfig agent = loader.agent(ConfigFile.empty()).config();

    assertThat(coordinator.amqpUri()).isEqualTo("amqp://guest:guest@localhost:5672/%2f");
    assertThat(coordinator.namespace()).isEqualTo("pgshuttle");
    assertThat(coordinator.httpPort()).isEqualTo(8080);
    assertThat(coordinator.heartbeatTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(coordinator.retryInitialBackoff()).isEqualTo(Duration.ofSeconds(5));
    assertThat(coordinator.retryMaxBackoff()).isEqualTo(Duration.ofMinutes(5));
    assertThat(coordinator.sweepInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(coordinator.storePassword()).isNull();
    assertThat(agent.pgBindir()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
    assertThat(agent.iaas()).isEqualTo("local");
    assertThat(agent.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(agent.progressInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(agent.diskSizeGiB()).isEqualTo(10);
    assertThat(agent.sweepInterval()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aSweepIntervalThatIsNoDurationOrNotPositiveNamesTheVariable() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(Map.of("PGSHUTTLE_SWEEP_INTERVAL", "often"))
                    .agent(ConfigFile.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("PGSHUTTLE_SWEEP_INTERVAL 'often' is not a duration");
    ConfigLoader loader = new ConfigLoader(Map.of("PGSHUTTLE_SWEEP_INTERVAL", "0s"));
    assertThat(loader.agent(ConfigFile.empty()).problems())
        .contains("PGSHUTTLE_SWEEP_INTERVAL (agent.sweepInterval) must be positive, e.g. 15m");
  }

  @Test
  void missingRequiredSettingsAreProblemsNamingTheVariable() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThat(loader.coordinator(ConfigFile.empty()).problems())
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_STORE_URL must be"))
        .anySatisfy(problem -> assertThat(problem).startsWith("coordinator.signingKey"))
        .anySatisfy(problem -> assertThat(problem).startsWith("coordinator.eventKeys"))
        .anySatisfy(problem -> assertThat(problem).startsWith("coordinator.agentKeys"))
        .hasSize(4);
    assertThat(loader.agent(ConfigFile.empty()).problems())
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_INSTANCE"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_SOURCE_URL"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_STATE_DIR"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_LOCAL_DISK_ROOT"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_SEALING_KEY"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_COORDINATOR_KEYS"))
        .anySatisfy(problem -> assertThat(problem).startsWith("PGSHUTTLE_COORDINATOR_EVENT_KEY"))
        .hasSize(7);
  }

  @Test
  void otherDiskProvidersNeedNoLocalRoot() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_IAAS", "aws",
                "PGSHUTTLE_LOCAL_DISK_ROOT", "/ignored",
                "PGSHUTTLE_INSTANCE", "vm-1",
                "PGSHUTTLE_SOURCE_URL", "postgresql://postgres@127.0.0.1:5432",
                "PGSHUTTLE_STATE_DIR", "/state",
                "PGSHUTTLE_SEALING_KEY", "/keys/vm-1.x25519.key",
                "PGSHUTTLE_COORDINATOR_KEYS", "/keys/a.ed25519.pub, /keys/b.ed25519.pub",
                "PGSHUTTLE_COORDINATOR_EVENT_KEY", "/keys/a.x25519.pub"));

    Validated<AgentConfig> validated = loader.agent(ConfigFile.empty());

    assertThat(validated.problems()).isEmpty();
    assertThat(validated.config().iaasSettings()).isEmpty();
    assertThat(validated.config().coordinatorKeys())
        .containsExactly(Path.of("/keys/a.ed25519.pub"), Path.of("/keys/b.ed25519.pub"));
    assertThat(validated.config().coordinatorEventKey()).isEqualTo(Path.of("/keys/a.x25519.pub"));
  }

  @Test
  void anInvalidNamespaceIsAProblem() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of("PGSHUTTLE_NAMESPACE", "a.b", "PGSHUTTLE_STORE_URL", "jdbc:postgresql://h/d"));

    String problem =
        "PGSHUTTLE_NAMESPACE 'a.b' is invalid: use 1 to 63 letters, digits, '_' or '-',"
            + " starting with a letter or digit (amqp.namespace)";
    assertThat(loader.agent(ConfigFile.empty()).problems()).containsOnlyOnce(problem);
    assertThat(loader.coordinator(ConfigFile.empty()).problems())
        .filteredOn(line -> line.startsWith("PGSHUTTLE_NAMESPACE"))
        .containsExactly(
            "PGSHUTTLE_NAMESPACE (amqp.namespace) 'a.b' is invalid: use letters, digits, '_' or"
                + " '-' (pgshuttle in production)");
  }

  @Test
  void aMaximumBackoffBelowTheInitialIsAProblem() {
    ConfigLoader loader =
        new ConfigLoader(
            Map.of(
                "PGSHUTTLE_STORE_URL", "jdbc:postgresql://h/d",
                "PGSHUTTLE_SIGNING_KEY", "/keys/coordinator.ed25519.key",
                "PGSHUTTLE_EVENT_KEYS", "/keys/coordinator.x25519.key",
                "PGSHUTTLE_AGENT_KEYS", "/keys/agents"));
    ConfigFile file =
        loader.parse("coordinator: {retryInitialBackoff: 1m, retryMaxBackoff: 10s}", "c.yml");

    assertThat(loader.coordinator(file).problems())
        .containsExactly(
            "coordinator.retryMaxBackoff PT10S is shorter than coordinator.retryInitialBackoff"
                + " PT1M");
  }

  @Test
  void anUnknownKeyIsAnErrorNamingTheKeyAndTheFile() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThatThrownBy(() -> loader.parse("coordinator:\n  htpPort: 80\n", "/etc/c.yml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("unknown key 'coordinator.htpPort' in /etc/c.yml")
        .hasMessageContaining("httpPort");
    assertThatThrownBy(() -> loader.parse("broker: {}\n", "/etc/c.yml"))
        .hasMessageStartingWith("unknown key 'broker' in /etc/c.yml");
  }

  @Test
  void aBadValueIsAnErrorNamingTheKeyAndTheFile() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThatThrownBy(() -> loader.parse("coordinator:\n  httpPort: eighty\n", "c.yml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid value for 'coordinator.httpPort' in c.yml");
    assertThatThrownBy(() -> loader.parse("agent:\n  heartbeatInterval: soon\n", "a.yml"))
        .hasMessage(
            "invalid value for 'agent.heartbeatInterval' in a.yml: 'soon' is not a duration:"
                + " write e.g. 500ms, 30s, 5m, 2h or ISO-8601 PT30S");
    assertThatThrownBy(() -> loader.parse("agent:\n  heartbeatInterval: 30\n", "a.yml"))
        .hasMessageContaining("'agent.heartbeatInterval'")
        .hasMessageContaining("with its unit");
  }

  @Test
  void aKeyGivenTwiceIsAnError() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThatThrownBy(() -> loader.parse("amqp:\n  uri: a\n  uri: b\n", "c.yml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("c.yml")
        .hasMessageContaining("uri");
  }

  @Test
  void malformedYamlIsAnErrorNamingTheFile() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThatThrownBy(() -> loader.parse("amqp:\n  uri: 'unclosed\n", "c.yml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot read c.yml as YAML");
  }

  @Test
  void anEmptyFileMeansNoSettings() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThat(loader.parse("# nothing yet\n", "c.yml")).isEqualTo(ConfigFile.empty());
    assertThat(loader.parse("", "c.yml")).isEqualTo(ConfigFile.empty());
  }

  @Test
  void aFileThatIsNotAMappingIsAnError() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    assertThatThrownBy(() -> loader.parse("- amqp\n", "c.yml"))
        .hasMessage("c.yml must hold a mapping with the sections amqp, coordinator and agent");
  }

  @Test
  void passwordsNeverShowInTheConfigurationText() {
    ConfigLoader loader = new ConfigLoader(Map.of());

    CoordinatorConfig coordinator = loader.coordinator(loader.parse(FULL, "all.yml")).config();
    AgentConfig agent = loader.agent(loader.parse(FULL, "all.yml")).config();

    assertThat(coordinator.toString()).doesNotContain("store-pw");
    assertThat(agent.toString()).doesNotContain("source-pw");
  }

  @Test
  void clientSettingsComeFromTheEnvironment() {
    ClientSettings settings =
        new ConfigLoader(
                Map.of(
                    "PGSHUTTLE_AMQP_URI", "amqp://rabbit/%2f",
                    "PGSHUTTLE_NAMESPACE", "ns",
                    "PGSHUTTLE_COORDINATOR_URL", "https://coordinator.example:8443/"))
            .client(ConfigFile.empty());

    assertThat(settings)
        .isEqualTo(
            new ClientSettings(
                "amqp://rabbit/%2f", "ns", URI.create("https://coordinator.example:8443"), null));
    assertThat(new ConfigLoader(Map.of()).client(ConfigFile.empty()).coordinatorUrl())
        .isEqualTo(URI.create("http://127.0.0.1:8080"));
  }

  @Test
  void theClientReadsItsTokenAndUrlFromTheFileAndTheEnvironmentWins() {
    String file =
        """
        amqp:
          namespace: from-file
        client:
          coordinatorUrl: http://coordinator.internal:9090
          apiToken: file-token-0123456789
        """;
    ConfigLoader fileOnly = new ConfigLoader(Map.of());
    ClientSettings fromFile = fileOnly.client(fileOnly.parse(file, "client.yml"));

    assertThat(fromFile.namespace()).isEqualTo("from-file");
    assertThat(fromFile.coordinatorUrl()).isEqualTo(URI.create("http://coordinator.internal:9090"));
    assertThat(fromFile.apiToken()).isEqualTo(Secret.of("file-token-0123456789"));
    assertThat(fromFile.toString()).doesNotContain("file-token-0123456789");

    ConfigLoader withEnvironment =
        new ConfigLoader(Map.of("PGSHUTTLE_API_TOKEN", "env-token-0123456789"));
    assertThat(withEnvironment.client(withEnvironment.parse(file, "client.yml")).apiToken())
        .isEqualTo(Secret.of("env-token-0123456789"));
  }
}
