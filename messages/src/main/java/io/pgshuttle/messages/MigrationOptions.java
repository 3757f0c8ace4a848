package io.pgshuttle.messages;

/**
 * How a migration runs. Every field may be null on the wire, meaning its default; {@link
 * #withDefaults()} fills them in.
 *
 * @param jobs sessions copying tables out of the source, workers loading them into the target,
 *     workers building their indexes, and {@code pg_restore -j} jobs; default 2
 * @param maxAttempts how many attempts before the migration is FAILED; default 3
 * @param keepSourceLocked leave the source quiesced after success; default false
 * @param verify how much VERIFY compares; default {@link VerifyLevel#FULL}
 */
public record MigrationOptions(
    Integer jobs, Integer maxAttempts, Boolean keepSourceLocked, VerifyLevel verify) {

  public static final int DEFAULT_JOBS = 2;
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** All defaults. */
  public static MigrationOptions defaults() {
    return new MigrationOptions(null, null, null, null).withDefaults();
  }

  /** These options with every null replaced by its default. */
  public MigrationOptions withDefaults() {
    return new MigrationOptions(
        jobs == null ? DEFAULT_JOBS : jobs,
        maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts,
        keepSourceLocked != null && keepSourceLocked,
        verify == null ? VerifyLevel.FULL : verify);
  }
}
