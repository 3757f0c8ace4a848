package io.pgshuttle.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A migration end to end with each cloud disk provider selected: the agent (a real process) talks
 * through the provider's real SDK to a local stand-in of the cloud's API, and the disk's device
 * appears in a fake {@code /dev} tree of the VM, as a link to a local directory.
 */
class CloudProvidersEndToEndIT {
  static final List<String> PROVIDERS = List.of("alibaba", "aws", "azure", "gcp", "openstack");

  static E2eEnvironment environment;
  static PostgresCluster source;

  @BeforeAll
  static void start() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE orders");
    source.execute(
        "orders",
        "CREATE TABLE lines (id bigint PRIMARY KEY, sku text, qty int)",
        "INSERT INTO lines SELECT g, 'sku-' || g, g % 17 FROM generate_series(1, 20000) g",
        "VACUUM ANALYZE");
    environment = new E2eEnvironment();
  }

  @AfterAll
  static void stop() {
    Closing.all(environment, source);
  }

  @Test
  void everyCloudProviderMigratesThroughItsStandIn() throws Exception {
    Map<String, CloudStandIn> standIns = new TreeMap<>();
    for (CloudStandIn standIn : ServiceLoader.load(CloudStandIn.class)) {
      standIns.put(standIn.providerId(), standIn);
    }
    try {
      assertThat(standIns.keySet()).containsExactlyElementsOf(PROVIDERS);
      for (CloudStandIn standIn : standIns.values()) {
        migrateThrough(standIn);
      }
    } finally {
      standIns.values().forEach(CloudStandIn::close);
    }
  }

  private static void migrateThrough(CloudStandIn standIn) throws Exception {
    String provider = standIn.providerId();
    Path vmRoot = Files.createDirectories(environment.work().resolve("vm-" + provider));
    Path disks = Files.createDirectories(environment.work().resolve("devices-" + provider));
    AtomicInteger attached = new AtomicInteger();
    standIn.onAttach(devicePath -> appearInVm(vmRoot, devicePath, disks, attached));
    Path config = environment.work().resolve("agent-" + provider + ".yml");
    new ObjectMapper(new YAMLFactory())
        .writeValue(config.toFile(), Map.of("agent", Map.of("iaasSettings", standIn.settings())));
    Map<String, String> env = new TreeMap<>(standIn.environment());
    env.put("PGSHUTTLE_IAAS", provider);
    env.put("PGSHUTTLE_DEVICE_ROOT", vmRoot.toString());
    String instance = "cloud-" + provider;
    environment.startAgent(instance, source, env, List.of("--config", config.toString()));

    try (PostgresCluster target = PostgresCluster.startWithPassword("cloud-pw-" + provider)) {
      String id = environment.submit(instance, target, List.of("--database", "orders"));
      JsonNode status;
      try {
        status = environment.http().awaitTerminal(id, Duration.ofMinutes(3));
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            provider
                + ": the migration did not end; status "
                + environment.http().status(id).orElse(null)
                + "\n"
                + environment.logs(),
            e);
      }

      assertThat(status.path("state").asText())
          .as("%s: %s%n%s", provider, status, environment.logs())
          .isEqualTo("SUCCEEDED");
      assertThat(attached).as(provider + " attaches").hasValue(1);
      assertThat(target.queryValue("orders", "SELECT count(*) FROM lines")).isEqualTo("20000");
      assertThat(standIn.diskIds()).as(provider + " disks left").isEmpty();
    }
  }

  /** Plays the VM's kernel and udev: the attached disk's device is a link to a fresh directory. */
  private static void appearInVm(
      Path vmRoot, String devicePath, Path disks, AtomicInteger attached) {
    try {
      Path link = vmRoot.resolve(devicePath.substring(1));
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Path disk = Files.createDirectories(disks.resolve("disk-" + attached.incrementAndGet()));
      Files.createSymbolicLink(link, disk);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
