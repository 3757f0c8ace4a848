package io.pgshuttle.e2e;

import java.util.ArrayList;
import java.util.List;

/** What a chaos soak's checker found, by kind, each with a sentence naming the migration. */
final class SoakFindings {
  private final List<String> lost = new ArrayList<>();
  private final List<String> duplicates = new ArrayList<>();
  private final List<String> orphans = new ArrayList<>();
  private final List<String> mismatches = new ArrayList<>();

  /** A request with no terminal state recorded. */
  void lost(String finding) {
    lost.add(finding);
  }

  /** An attempt that an agent ran more than once. */
  void duplicate(String finding) {
    duplicates.add(finding);
  }

  /** A disk or staging database left after every migration ended. */
  void orphan(String finding) {
    orphans.add(finding);
  }

  /** A target that differs from its source, or a source not as it was after a failure. */
  void mismatch(String finding) {
    mismatches.add(finding);
  }

  boolean clean() {
    return lost.isEmpty() && duplicates.isEmpty() && orphans.isEmpty() && mismatches.isEmpty();
  }

  /** {@code lost=0 duplicates=0 orphans=0 mismatches=0}, with the counts found. */
  String line() {
    return "lost="
        + lost.size()
        + " duplicates="
        + duplicates.size()
        + " orphans="
        + orphans.size()
        + " mismatches="
        + mismatches.size();
  }

  /** The summary line, then every finding on a line of its own. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(line());
    for (List<String> kind : List.of(lost, duplicates, orphans, mismatches)) {
      kind.forEach(finding -> text.append('\n').append("  ").append(finding));
    }
    return text.toString();
  }
}
