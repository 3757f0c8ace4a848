package io.pgshuttle.cli;

import io.pgshuttle.cli.SweepStatus.Instance;
import io.pgshuttle.cli.SweepStatus.Leftover;
import java.util.Locale;

/** The human form of a sweep: what {@code gc} prints. */
final class SweepText {
  private SweepText() {}

  /** The sweep's header, then per instance its state and each leftover on a line of its own. */
  static String sweep(SweepStatus sweep) {
    StringBuilder out = new StringBuilder();
    out.append("sweep ")
        .append(sweep.sweepId())
        .append(" (")
        .append(sweep.trigger())
        .append(", ")
        .append(Formats.time(sweep.requestedAt()))
        .append(")");
    if (sweep.instances().isEmpty()) {
      return out.append(
              ": no ended migration is waiting to be swept (each agent also deletes the disks of"
                  + " its ended attempts on its own, every agent.sweepInterval)\n")
          .toString();
    }
    out.append('\n');
    for (Instance instance : sweep.instances()) {
      out.append(instance.instanceId())
          .append("  ")
          .append(instance.state())
          .append("  ")
          .append(summary(instance))
          .append('\n');
      for (Leftover leftover : instance.removed()) {
        out.append("  removed      ").append(describe(leftover)).append('\n');
      }
      for (Leftover leftover : instance.notRemoved()) {
        out.append("  not removed  ").append(describe(leftover)).append('\n');
      }
    }
    return out.toString();
  }

  private static String summary(Instance instance) {
    int ended = instance.migrations().size();
    String asked = ended == 0 ? "its disks" : ended + " ended migration" + (ended == 1 ? "" : "s");
    return switch (instance.state()) {
      case "REPORTED" ->
          "swept "
              + asked
              + ": removed "
              + instance.removed().size()
              + ", not removed "
              + instance.notRemoved().size()
              + (instance.migrations().isEmpty()
                  ? ""
                  : ", " + instance.cleanMigrations().size() + " clean");
      case "SENT", "SENDING" -> "asked to sweep " + asked + "; its report has not come yet";
      default -> instance.error() == null ? "" : instance.error();
    };
  }

  private static String describe(Leftover leftover) {
    String kind = leftover.kind() == null ? "" : leftover.kind().toLowerCase(Locale.ROOT);
    return kind
        + " "
        + leftover.name()
        + (leftover.migrationId() == null ? "" : " (migration " + leftover.migrationId() + ")")
        + (leftover.detail() == null ? "" : ": " + leftover.detail());
  }
}
