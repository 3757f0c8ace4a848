package io.pgshuttle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgshuttle.cli.MigrationStatus.AttemptStatus;
import io.pgshuttle.cli.MigrationStatus.StepStatus;
import java.util.List;

/** The human form of statuses: what {@code status}, {@code list} and {@code --wait} print. */
final class StatusText {
  private static final int ERROR_COLUMN_WIDTH = 70;

  private StatusText() {}

  /** One migration: its header, a table of steps, and its attempts when there was more than one. */
  static String migration(MigrationStatus status) {
    StringBuilder out = new StringBuilder();
    field(out, "Migration", status.migrationId());
    field(out, "Request", status.requestId());
    field(out, "Instance", status.instanceId());
    field(out, "State", status.state() + attemptOf(status));
    field(out, "Created", Formats.time(status.createdAt()));
    field(out, "Started", Formats.time(status.startedAt()));
    String took = Formats.between(status.startedAt(), status.finishedAt());
    field(
        out,
        "Finished",
        Formats.time(status.finishedAt()) + (took.isEmpty() ? "" : "  (" + took + ")"));
    field(out, "Next attempt", Formats.time(status.nextAttemptAt()));
    field(out, "Cancel", cancel(status));
    field(out, "Error", status.error());
    field(out, "Verification", verification(status.verification()));
    if (!status.steps().isEmpty()) {
      TextTable steps = new TextTable("STEP", "STATE", "STARTED", "TOOK", "DETAIL");
      for (StepStatus step : status.steps()) {
        steps.row(
            step.name(),
            step.state(),
            Formats.time(step.startedAt()),
            Formats.between(step.startedAt(), step.finishedAt()),
            stepDetail(step));
      }
      out.append('\n').append(steps.render());
    }
    if (status.attempts().size() > 1) {
      TextTable attempts = new TextTable("ATTEMPT", "STATE", "STARTED", "FINISHED", "ERROR");
      for (AttemptStatus attempt : status.attempts()) {
        attempts.row(
            attempt.attempt() == null ? "" : attempt.attempt().toString(),
            attempt.state(),
            Formats.time(attempt.startedAt()),
            Formats.time(attempt.finishedAt()),
            Formats.shorten(attempt.error(), ERROR_COLUMN_WIDTH));
      }
      out.append('\n').append(attempts.render());
    }
    return out.toString();
  }

  /** Migrations, one per line, or a sentence when there are none. */
  static String list(List<MigrationStatus> migrations) {
    if (migrations.isEmpty()) {
      return "No migrations.\n";
    }
    TextTable table =
        new TextTable("MIGRATION", "INSTANCE", "STATE", "ATTEMPT", "CREATED", "FINISHED", "ERROR");
    for (MigrationStatus status : migrations) {
      table.row(
          status.migrationId(),
          status.instanceId(),
          status.state(),
          status.attempt() == null ? "" : status.attempt().toString(),
          Formats.time(status.createdAt()),
          Formats.time(status.finishedAt()),
          Formats.shorten(status.error(), ERROR_COLUMN_WIDTH));
    }
    return table.render();
  }

  private static String attemptOf(MigrationStatus status) {
    if (status.attempt() == null || status.attempt() == 0) {
      return "";
    }
    return "  (attempt "
        + status.attempt()
        + (status.maxAttempts() == null ? "" : " of " + status.maxAttempts())
        + ")";
  }

  private static String cancel(MigrationStatus status) {
    if (!status.cancelRequested()) {
      return null;
    }
    return "requested "
        + Formats.time(status.cancelRequestedAt())
        + (status.cancelReason() == null ? "" : ": " + status.cancelReason());
  }

  private static String stepDetail(StepStatus step) {
    if (step.error() != null) {
      return Formats.shorten(step.error(), ERROR_COLUMN_WIDTH);
    }
    if ("RUNNING".equals(step.state()) && step.progress() != null) {
      return Formats.progress(step.progress());
    }
    return Formats.shorten(step.summary(), ERROR_COLUMN_WIDTH);
  }

  private static String verification(JsonNode verification) {
    if (verification == null || verification.isNull() || verification.isMissingNode()) {
      return null;
    }
    return verification.isTextual() ? verification.asText() : verification.toString();
  }

  private static void field(StringBuilder out, String name, String value) {
    if (value != null && !value.isBlank()) {
      out.append(String.format("%-13s %s\n", name, value));
    }
  }
}
