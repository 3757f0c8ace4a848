package io.pgshuttle.agent.pipeline;

import io.pgshuttle.messages.Step;
import java.util.List;
import java.util.Optional;

/**
 * The journal entries through which steps tell the runner what to report: a step's one-line summary
 * (sent in StepSucceeded), the databases the migration made and VERIFY's summary (sent in
 * MigrationSucceeded). Being in the journal, they survive a restart. Stateless.
 */
public final class AttemptRecords {
  private static final String SUMMARY = "summary.";
  private static final String DATABASES = "result.databases";
  private static final String VERIFICATION = "result.verification";

  private AttemptRecords() {}

  /** Records {@code step}'s summary, a line for a person. */
  public static void recordSummary(AttemptJournal journal, Step step, String summary) {
    journal.put(SUMMARY + step.name(), summary);
  }

  /** The summary {@code step} recorded, if any. */
  public static Optional<String> summary(AttemptJournal journal, Step step) {
    return journal.get(SUMMARY + step.name(), String.class);
  }

  /** Records the databases the migration makes on the target, by their final names. */
  public static void recordDatabases(AttemptJournal journal, List<String> databases) {
    journal.put(DATABASES, databases);
  }

  public static List<String> databases(AttemptJournal journal) {
    return journal.get(DATABASES, String[].class).map(List::of).orElse(List.of());
  }

  /** Records what VERIFY compared and found equal. */
  public static void recordVerification(AttemptJournal journal, String verification) {
    journal.put(VERIFICATION, verification);
  }

  public static Optional<String> verification(AttemptJournal journal) {
    return journal.get(VERIFICATION, String.class);
  }
}
