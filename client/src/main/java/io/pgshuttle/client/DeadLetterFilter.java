package io.pgshuttle.client;

/**
 * Which dead letters {@link PgShuttleClient#deadLetters} lists or {@link
 * PgShuttleClient#replayDeadLetters} replays. Immutable.
 *
 * @param reason only dead letters with this reason; null for every reason
 * @param instance only dead letters of this instance; null for every instance
 * @param limit dead letters per page, 1 to 1000; null for the coordinator's default. Not sent by a
 *     bulk replay
 */
public record DeadLetterFilter(String reason, String instance, Integer limit) {
  public DeadLetterFilter {
    Pages.checkLimit(limit);
  }

  /** Every dead letter. */
  public static DeadLetterFilter all() {
    return new DeadLetterFilter(null, null, null);
  }

  public DeadLetterFilter withReason(String reason) {
    return new DeadLetterFilter(reason, instance, limit);
  }

  public DeadLetterFilter withInstance(String instance) {
    return new DeadLetterFilter(reason, instance, limit);
  }

  public DeadLetterFilter withLimit(Integer limit) {
    return new DeadLetterFilter(reason, instance, limit);
  }
}
