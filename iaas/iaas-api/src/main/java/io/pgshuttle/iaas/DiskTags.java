package io.pgshuttle.iaas;

import java.util.Map;

/** The tags pgshuttle puts on every disk it makes, so the sweeper can find them by migration. */
public final class DiskTags {
  public static final String CREATED_BY = "pgshuttle";
  public static final String CREATED_BY_KEY = "created-by";
  public static final String MIGRATION_ID = "pgshuttle-migration-id";
  public static final String ATTEMPT = "pgshuttle-attempt";
  public static final String INSTANCE = "pgshuttle-instance";

  private DiskTags() {}

  /** The tags every disk pgshuttle made for the agent of {@code instanceId} carries. */
  public static Map<String, String> forInstance(String instanceId) {
    return Map.of(CREATED_BY_KEY, CREATED_BY, INSTANCE, instanceId);
  }

  /** The tags of the disk for one attempt of one migration. */
  public static Map<String, String> forAttempt(String instanceId, String migrationId, int attempt) {
    return Map.of(
        CREATED_BY_KEY, CREATED_BY,
        INSTANCE, instanceId,
        MIGRATION_ID, migrationId,
        ATTEMPT, Integer.toString(attempt));
  }
}
