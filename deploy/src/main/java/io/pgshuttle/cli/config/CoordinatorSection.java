package io.pgshuttle.cli.config;

import io.pgshuttle.messages.Secret;
import java.time.Duration;
import java.util.List;

/**
 * The {@code coordinator:} section of a configuration file. Null fields are unset; see {@link
 * io.pgshuttle.coordinator.CoordinatorConfig} for their meaning.
 *
 * @param eventKeys the coordinator's X25519 key pair files; two during a rotation
 */
public record CoordinatorSection(
    String storeUrl,
    String storeUser,
    Secret storePassword,
    Integer httpPort,
    Duration heartbeatTimeout,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    Duration sweepInterval,
    List<ApiTokenSection> apiTokens,
    String signingKey,
    List<String> eventKeys,
    String agentKeys,
    Duration commandValidity) {}
