package io.pgshuttle.cli;

/** The exit codes of every {@code pgshuttle} command; README documents them. */
public final class ExitCodes {
  /**
   * Done; for {@code submit --wait} and {@code watch}: the migration SUCCEEDED; for {@code cancel
   * --wait}: it ended CANCELLED; for {@code gc --wait}: every agent reported and nothing is left.
   */
  public static final int OK = 0;

  /**
   * The migration ended FAILED or CANCELLED; for {@code cancel --wait}: it ended SUCCEEDED or
   * FAILED; for {@code gc --wait}: something could not be removed, or an agent did not report.
   */
  public static final int MIGRATION_FAILED = 1;

  /** Bad input or usage: nothing was published, started or cancelled. */
  public static final int USAGE = 2;

  /** The broker or the coordinator cannot be reached; the message names the setting to check. */
  public static final int UNREACHABLE = 3;

  /** A fault in pgshuttle itself; the message and stack trace say where. */
  public static final int INTERNAL_ERROR = 4;

  private ExitCodes() {}
}
