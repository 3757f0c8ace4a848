package io.pgshuttle.agent;

import io.pgshuttle.agent.steps.CutoverStep;
import io.pgshuttle.agent.steps.VerifyStep;
import io.pgshuttle.faults.Breakpoints;
import io.pgshuttle.messages.Names;
import io.pgshuttle.messages.Secret;
import io.pgshuttle.messages.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an agent runs. Built by the launcher from YAML and PGSHUTTLE_* environment variables.
 *
 * @param amqpUri PGSHUTTLE_AMQP_URI
 * @param namespace broker namespace, {@code pgshuttle} in production
 * @param instanceId PGSHUTTLE_INSTANCE: this VM's id, its queue name
 * @param sourceUrl PGSHUTTLE_SOURCE_URL: {@code postgresql://user@host:port} of the local server,
 *     as a superuser
 * @param sourcePassword PGSHUTTLE_SOURCE_PASSWORD, or null where the source trusts the agent
 * @param pgBindir PGSHUTTLE_PG_BINDIR: where pg_dump, pg_restore, pg_dumpall and psql are
 * @param iaas PGSHUTTLE_IAAS: disk provider id
 * @param iaasSettings provider settings; for {@code local}: {@code root}
 *     (PGSHUTTLE_LOCAL_DISK_ROOT)
 * @param stateDir PGSHUTTLE_STATE_DIR: the journal, on the VM's persistent disk; attached disks are
 *     mounted under its {@code mnt/}
 * @param deviceRoot where the VM's {@code /dev} and {@code /sys} are looked up: {@code /}, except
 *     for tests that build fake device trees; null means {@code /}
 * @param diskSizeGiB smallest auxiliary disk; PREFLIGHT asks for more when the source is larger
 * @param heartbeatInterval how often a busy agent says it is alive
 * @param progressInterval least time between two progress events of a step
 * @param sweepInterval PGSHUTTLE_SWEEP_INTERVAL: how often the agent deletes, on its own, the disks
 *     of its attempts that have ended (see {@link io.pgshuttle.agent.sweep.LeftoverSweeper})
 * @param sealingKey PGSHUTTLE_SEALING_KEY: this agent's X25519 key pair file, which opens the
 *     target passwords the coordinator seals for it and agrees the key of its events' MACs (see
 *     {@code pgshuttle keys agent})
 * @param coordinatorKeys PGSHUTTLE_COORDINATOR_KEYS: the coordinator's Ed25519 public key files
 *     whose signatures this agent trusts; one, or two during a rotation
 * @param coordinatorEventKey PGSHUTTLE_COORDINATOR_EVENT_KEY: the coordinator's X25519 public key
 *     file with which this agent agrees the key of its events' MACs
 * @param targetSslRootCert PGSHUTTLE_TARGET_SSLROOTCERT: PEM file of the CAs that sign target
 *     servers' certificates, for requests with sslmode {@code verify-ca} or {@code verify-full}
 *     (given to JDBC as {@code sslrootcert} and to the tools as {@code PGSSLROOTCERT}); null uses
 *     libpq's default {@code ~/.postgresql/root.crt}
 * @param breakpoint PGSHUTTLE_TEST_BREAKPOINT, for fault tests only: one of {@link #BREAKPOINTS},
 *     where the agent holds until it is killed; null in production
 */
public record AgentConfig(
    String amqpUri,
    String namespace,
    String instanceId,
    String sourceUrl,
    Secret sourcePassword,
    Path pgBindir,
    String iaas,
    Map<String, String> iaasSettings,
    Path stateDir,
    Path deviceRoot,
    int diskSizeGiB,
    Duration heartbeatInterval,
    Duration progressInterval,
    Duration sweepInterval,
    Path sealingKey,
    List<Path> coordinatorKeys,
    Path coordinatorEventKey,
    Path targetSslRootCert,
    String breakpoint) {

  /** The breakpoints of an agent, for fault tests. */
  public static final List<String> BREAKPOINTS =
      List.of(
          VerifyStep.BREAKPOINT_STARTED,
          CutoverStep.BREAKPOINT_BETWEEN_RENAMES,
          CutoverStep.BREAKPOINT_COMMITTED);

  public AgentConfig {
    iaasSettings = iaasSettings == null ? Map.of() : Map.copyOf(iaasSettings);
    deviceRoot = deviceRoot == null ? Path.of("/") : deviceRoot;
    coordinatorKeys = coordinatorKeys == null ? List.of() : List.copyOf(coordinatorKeys);
  }

  public Topology topology() {
    return new Topology(namespace);
  }

  /**
   * What is missing or wrong, each a sentence naming the setting to fix; empty when the
   * configuration is usable.
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (amqpUri == null || amqpUri.isBlank()) {
      problems.add(
          "PGSHUTTLE_AMQP_URI is not set: name the broker, e.g. amqp://guest:guest@localhost:5672/%2f");
    }
    if (instanceId == null || instanceId.isBlank()) {
      problems.add("PGSHUTTLE_INSTANCE is not set: name this VM's instance id");
    } else if (!Names.isValidInstanceId(instanceId)) {
      problems.add(
          "PGSHUTTLE_INSTANCE '"
              + instanceId
              + "' is invalid: use 1 to 63 letters, digits, '_' or '-'");
    }
    if (sourceUrl == null || sourceUrl.isBlank()) {
      problems.add(
          "PGSHUTTLE_SOURCE_URL is not set: name the local server as postgresql://user@host:port");
    } else if (!sourceUrl.startsWith("postgresql://")) {
      problems.add(
          "PGSHUTTLE_SOURCE_URL must be postgresql://user@host:port, not '" + sourceUrl + "'");
    }
    if (pgBindir == null) {
      problems.add("PGSHUTTLE_PG_BINDIR is not set: name the directory holding pg_dump");
    }
    if (iaas == null || iaas.isBlank()) {
      problems.add("PGSHUTTLE_IAAS is not set: name a disk provider such as 'local'");
    }
    if (stateDir == null) {
      problems.add("PGSHUTTLE_STATE_DIR is not set: name a directory on a persistent disk");
    }
    if (diskSizeGiB < 1) {
      problems.add("agent.diskSizeGiB must be at least 1");
    }
    if (targetSslRootCert != null && !Files.isReadable(targetSslRootCert)) {
      problems.add(
          "PGSHUTTLE_TARGET_SSLROOTCERT (agent.targetSslRootCert) "
              + targetSslRootCert
              + " is not a readable file: name the PEM file of the targets' CA");
    }
    String breakpointProblem = Breakpoints.problem(breakpoint, BREAKPOINTS);
    if (breakpointProblem != null) {
      problems.add(breakpointProblem);
    }
    if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
      problems.add("PGSHUTTLE_SWEEP_INTERVAL (agent.sweepInterval) must be positive, e.g. 15m");
    }
    if (sealingKey == null) {
      problems.add(
          "PGSHUTTLE_SEALING_KEY (agent.sealingKey) is not set: name this agent's X25519 key pair"
              + " file, made by `pgshuttle keys agent --instance ID --out DIR`");
    }
    if (coordinatorKeys.isEmpty() || coordinatorKeys.size() > 2) {
      problems.add(
          "PGSHUTTLE_COORDINATOR_KEYS (agent.coordinatorKeys) must name one or two coordinator"
              + " public key files (two during a rotation), not "
              + coordinatorKeys.size());
    }
    if (coordinatorEventKey == null) {
      problems.add(
          "PGSHUTTLE_COORDINATOR_EVENT_KEY (agent.coordinatorEventKey) is not set: name the"
              + " coordinator's X25519 public key file (coordinator.x25519.pub, made by `pgshuttle"
              + " keys coordinator`)");
    }
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(progressInterval, "progressInterval");
    return problems;
  }
}
