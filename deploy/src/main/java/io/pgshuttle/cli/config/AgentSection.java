package io.pgshuttle.cli.config;

import io.pgshuttle.messages.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code agent:} section of a configuration file. Null fields are unset; see {@link
 * io.pgshuttle.agent.AgentConfig} for their meaning.
 *
 * @param localDiskRoot where the {@code local} disk provider makes its disks
 * @param iaasSettings the cloud disk provider's settings (keys in README, per provider)
 * @param deviceRoot where /dev and /sys are looked up; only tests change it
 * @param coordinatorKeys the coordinator's Ed25519 public key files; two during a rotation
 * @param coordinatorEventKey the coordinator's X25519 public key file
 * @param targetSslRootCert PEM file of the CAs of target servers' certificates
 */
public record AgentSection(
    String instance,
    String sourceUrl,
    Secret sourcePassword,
    String pgBindir,
    String iaas,
    String localDiskRoot,
    String stateDir,
    Integer diskSizeGiB,
    Duration heartbeatInterval,
    Duration progressInterval,
    Duration sweepInterval,
    Map<String, String> iaasSettings,
    String deviceRoot,
    String sealingKey,
    List<String> coordinatorKeys,
    String coordinatorEventKey,
    String targetSslRootCert) {}
