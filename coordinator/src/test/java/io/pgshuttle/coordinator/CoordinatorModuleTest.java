package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.pgshuttle.coordinator.dispatch.DispatchSignal;
import io.pgshuttle.messages.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoordinatorModuleTest {

  private static CoordinatorConfig config(String namespace, String storeUrl) {
    return new CoordinatorConfig(
        "amqp://guest:guest@127.0.0.1:1/%2f",
        namespace,
        storeUrl,
        "pgshuttle",
        Secret.of("store-secret"),
        0,
        Duration.ofMinutes(2),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        Duration.ofHours(1),
        List.of(),
        Path.of("/etc/pgshuttle/keys/coordinator.ed25519.key"),
        List.of(Path.of("/etc/pgshuttle/keys/coordinator.x25519.key")),
        Path.of("/etc/pgshuttle/agent-keys"),
        Duration.ofHours(1),
        null);
  }

  @Test
  void wiresTheDaemonWithoutConnectingToAnything() {
    Injector injector =
        Guice.createInjector(
            new CoordinatorModule(config("pgshuttle", "jdbc:postgresql://127.0.0.1:1/store")));

    assertThat(injector.getInstance(CoordinatorDaemon.class)).isNotNull();
    assertThat(injector.getInstance(MetricRegistry.class))
        .isSameAs(injector.getInstance(MetricRegistry.class));
    assertThat(injector.getInstance(DispatchSignal.class))
        .isSameAs(injector.getInstance(DispatchSignal.class));
  }

  @Test
  void refusesAConfigurationWithProblemsNamingTheSettings() {
    assertThatThrownBy(() -> new CoordinatorModule(config("bad.namespace", "postgresql://x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PGSHUTTLE_NAMESPACE (amqp.namespace) 'bad.namespace' is invalid")
        .hasMessageContaining("PGSHUTTLE_STORE_URL must be a JDBC URL");
  }

  @Test
  void refusesAConfigurationWithoutKeysNamingTheSettingsAndTheCommandThatMakesThem() {
    CoordinatorConfig good = config("pgshuttle", "jdbc:postgresql://127.0.0.1:1/store");
    CoordinatorConfig keyless =
        new CoordinatorConfig(
            good.amqpUri(),
            good.namespace(),
            good.storeUrl(),
            good.storeUser(),
            good.storePassword(),
            good.httpPort(),
            good.heartbeatTimeout(),
            good.retryInitialBackoff(),
            good.retryMaxBackoff(),
            good.sweepInterval(),
            good.apiTokens(),
            null,
            List.of(),
            null,
            Duration.ZERO,
            null);

    assertThat(keyless.problems())
        .containsExactly(
            "coordinator.signingKey (PGSHUTTLE_SIGNING_KEY) is not set: name the coordinator's key"
                + " pair file, made by `pgshuttle keys coordinator --out DIR`",
            "coordinator.eventKeys (PGSHUTTLE_EVENT_KEYS) must name one or two of the coordinator's"
                + " X25519 key pair files, made by `pgshuttle keys coordinator --out DIR`"
                + " (coordinator.x25519.key); it names 0",
            "coordinator.agentKeys (PGSHUTTLE_AGENT_KEYS) is not set: name the directory of the"
                + " agents' public keys, made by `pgshuttle keys agent --instance ID --out DIR`",
            "coordinator.commandValidity must be positive, e.g. PT1H");
  }

  @Test
  void storeLocationNeverShowsCredentials() {
    assertThat(
            config("p", "jdbc:postgresql://db:5432/store?user=u&password=secret").storeLocation())
        .isEqualTo("jdbc:postgresql://db:5432/store");
    assertThat(config("p", "postgresql://u:secret@db:5432/store").storeLocation())
        .isEqualTo("postgresql://db:5432/store");
    assertThat(config("p", "postgresql://u:secret@db:5432/store").problems())
        .noneMatch(problem -> problem.contains("secret"));
  }
}
