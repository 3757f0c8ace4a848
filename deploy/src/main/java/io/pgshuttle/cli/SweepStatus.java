package io.pgshuttle.cli;

import java.time.Instant;
import java.util.List;

/**
 * A sweep of leftovers as the coordinator's HTTP API shows it ({@code POST /v1/gc}, {@code GET
 * /v1/gc/{id}}). Fields may be null where the coordinator has not set them; lists of the sweep are
 * never null. Unknown fields are ignored, so newer coordinators can add some.
 *
 * @param instances one per instance a SweepLeftovers went to
 */
public record SweepStatus(
    String sweepId,
    String trigger,
    String instanceId,
    Instant requestedAt,
    boolean complete,
    List<Instance> instances) {

  public SweepStatus {
    instances = instances == null ? List.of() : List.copyOf(instances);
  }

  /** Whether every agent reported and removed everything: the exit code 0 of {@code gc --wait}. */
  public boolean clean() {
    return complete
        && instances.stream()
            .allMatch(
                instance -> "REPORTED".equals(instance.state()) && instance.notRemoved().isEmpty());
  }

  /**
   * One instance's part of the sweep.
   *
   * @param state SENDING, SENT, NO_AGENT, NOT_SENT or REPORTED
   * @param migrations the ended migrations named to the agent
   * @param error why it was not sent, else null
   * @param removed what the agent removed; empty before its report
   * @param notRemoved what it could not remove, with the reasons; empty before its report
   * @param cleanMigrations the migrations of which nothing is left; empty before its report
   */
  public record Instance(
      String instanceId,
      String state,
      List<String> migrations,
      String error,
      Instant reportedAt,
      List<Leftover> removed,
      List<Leftover> notRemoved,
      List<String> cleanMigrations) {

    public Instance {
      migrations = migrations == null ? List.of() : List.copyOf(migrations);
      removed = removed == null ? List.of() : List.copyOf(removed);
      notRemoved = notRemoved == null ? List.of() : List.copyOf(notRemoved);
      cleanMigrations = cleanMigrations == null ? List.of() : List.copyOf(cleanMigrations);
    }
  }

  /**
   * One thing an agent removed or could not.
   *
   * @param kind DISK, DATABASE, ROLLBACK or MIGRATION
   * @param detail for ROLLBACK what it had left; for what was not removed, why
   */
  public record Leftover(String kind, String name, String migrationId, String detail) {}
}
