package io.pgshuttle.client;

/**
 * Which migrations {@link PgShuttleClient#list} returns. Immutable.
 *
 * @param state only migrations in this state; null for every state
 * @param instance only migrations of this instance; null for every instance
 * @param limit migrations per page, 1 to 1000; null for the coordinator's default (50)
 */
public record MigrationFilter(MigrationState state, String instance, Integer limit) {
  public MigrationFilter {
    Pages.checkLimit(limit);
  }

  /** Every migration, pages of the coordinator's default size. */
  public static MigrationFilter all() {
    return new MigrationFilter(null, null, null);
  }

  public MigrationFilter withState(MigrationState state) {
    return new MigrationFilter(state, instance, limit);
  }

  public MigrationFilter withInstance(String instance) {
    return new MigrationFilter(state, instance, limit);
  }

  public MigrationFilter withLimit(Integer limit) {
    return new MigrationFilter(state, instance, limit);
  }
}
