package io.pgshuttle.coordinator;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.pgshuttle.coordinator.dispatch.RetryBackoff;
import io.pgshuttle.coordinator.events.CoordinatorEventKeys;
import io.pgshuttle.coordinator.http.HttpModule;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.security.AgentKeyDirectory;
import io.pgshuttle.security.KeyAlgorithm;
import io.pgshuttle.security.KeyFiles;
import io.pgshuttle.security.MessageSigner;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Random;

/**
 * Wires the coordinator. Creating the injector connects to nothing; {@link
 * CoordinatorDaemon#start()} does. Usage: {@code Guice.createInjector(new
 * CoordinatorModule(config)) .getInstance(CoordinatorDaemon.class)}.
 */
public final class CoordinatorModule extends AbstractModule {
  private final CoordinatorConfig config;

  /**
   * @throws IllegalArgumentException listing {@link CoordinatorConfig#problems()} if there are any
   */
  public CoordinatorModule(CoordinatorConfig config) {
    var problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the coordinator's configuration is not usable: " + String.join("; ", problems));
    }
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(CoordinatorConfig.class).toInstance(config);
    bind(Breakpoints.class).toInstance(new Breakpoints(config.breakpoint()));
    bind(Topology.class).toInstance(config.topology());
    bind(MessageCodec.class).toInstance(new MessageCodec());
    bind(ObjectMapper.class).toInstance(MessageCodec.newObjectMapper());
    install(new HttpModule());
  }

  /** The one registry of the process: everything the coordinator counts is here. */
  @Provides
  @Singleton
  MetricRegistry metricRegistry() {
    return new MetricRegistry();
  }

  /**
   * Signs every command with the coordinator's key pair.
   *
   * @throws io.pgshuttle.security.KeyFileException naming the file when it cannot be read
   */
  @Provides
  @Singleton
  MessageSigner commandSigner() {
    return new MessageSigner(
        KeyFiles.readKeyPair(config.signingKey(), KeyAlgorithm.ED25519),
        Clock.systemUTC(),
        config.commandValidity());
  }

  /**
   * The coordinator's X25519 pairs that agents' event MAC keys are agreed with.
   *
   * @throws io.pgshuttle.security.KeyFileException naming the file when one cannot be read
   */
  @Provides
  @Singleton
  CoordinatorEventKeys eventKeys() {
    return new CoordinatorEventKeys(
        config.eventKeys().stream()
            .map(file -> KeyFiles.readKeyPair(file, KeyAlgorithm.X25519))
            .toList());
  }

  @Provides
  @Singleton
  AgentKeyDirectory agentKeys() {
    return new AgentKeyDirectory(config.agentKeys());
  }

  @Provides
  @Singleton
  RetryBackoff retryBackoff() {
    Random random = new Random();
    return new RetryBackoff(
        config.retryInitialBackoff(), config.retryMaxBackoff(), random::nextDouble);
  }
}
