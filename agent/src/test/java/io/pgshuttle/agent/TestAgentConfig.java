package io.pgshuttle.agent;

import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An {@link AgentConfig} for tests, built by name rather than by position: the {@code local} disk
 * provider, the machine's PostgreSQL tools, a source that trusts the agent, keys made under the
 * work directory ({@link TestKeys}), and short intervals, each changeable. Not thread-safe.
 */
public final class TestAgentConfig {
  private String amqpUri = "amqp://unused";
  private String namespace = "pgshuttle";
  private final String instance;
  private String sourceUrl = "postgresql://postgres@127.0.0.1:1";
  private Path pgBindir = PostgresCluster.defaultBinDir();
  private Path diskRoot;
  private Path stateDir;
  private Duration heartbeatInterval = Duration.ofSeconds(5);
  private Duration progressInterval = Duration.ofMillis(200);
  private Duration sweepInterval = Duration.ofHours(1);
  private Map<String, String> iaasSettings;
  private final TestKeys keys;
  private List<Path> coordinatorKeys;

  private TestAgentConfig(String instance, Path work) {
    this.instance = instance;
    this.diskRoot = work.resolve("disks");
    this.stateDir = work.resolve("state");
    this.keys = TestKeys.in(work.resolve("keys"));
    this.coordinatorKeys = List.of(keys.coordinatorPublicFile());
  }

  /** The keys the agent holds, under {@code <work>/keys}. */
  public TestKeys keys() {
    return keys;
  }

  /** The coordinator public key files the agent trusts, instead of the test's one. */
  public TestAgentConfig coordinatorKeys(List<Path> files) {
    this.coordinatorKeys = files;
    return this;
  }

  /** An agent of {@code instance} with its disks and state under {@code work}. */
  public static TestAgentConfig of(String instance, Path work) {
    return new TestAgentConfig(instance, work);
  }

  public TestAgentConfig broker(String uri, String brokerNamespace) {
    this.amqpUri = uri;
    this.namespace = brokerNamespace;
    return this;
  }

  public TestAgentConfig source(String url) {
    this.sourceUrl = url;
    return this;
  }

  public TestAgentConfig pgBindir(Path directory) {
    this.pgBindir = directory;
    return this;
  }

  public TestAgentConfig disksAndState(Path disks, Path state) {
    this.diskRoot = disks;
    this.stateDir = state;
    return this;
  }

  public TestAgentConfig intervals(Duration heartbeat, Duration progress) {
    this.heartbeatInterval = heartbeat;
    this.progressInterval = progress;
    return this;
  }

  public TestAgentConfig sweepInterval(Duration interval) {
    this.sweepInterval = interval;
    return this;
  }

  /** Settings of the disk provider other than {@code root} under the disk root, such as none. */
  public TestAgentConfig iaasSettings(Map<String, String> settings) {
    this.iaasSettings = settings;
    return this;
  }

  /** The configuration; makes the disk root. */
  public AgentConfig build() {
    try {
      Files.createDirectories(diskRoot);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new AgentConfig(
        amqpUri,
        namespace,
        instance,
        sourceUrl,
        null,
        pgBindir,
        "local",
        iaasSettings != null ? iaasSettings : Map.of("root", diskRoot.toString()),
        stateDir,
        null,
        1,
        heartbeatInterval,
        progressInterval,
        sweepInterval,
        keys.agentSealingKey(),
        coordinatorKeys,
        keys.coordinatorEventPublicFile(),
        null,
        null);
  }
}
