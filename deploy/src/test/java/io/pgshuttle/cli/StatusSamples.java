package io.pgshuttle.cli;

/** Status JSON as the coordinator's API writes it, for tests. */
final class StatusSamples {
  static final String MIGRATION_ID = "2f1c6b5e-8d2a-3c4b-9e7f-0a1b2c3d4e5f";

  private StatusSamples() {}

  static String running() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"RUNNING",
         "attempt":1,"maxAttempts":3,"createdAt":"2024-05-01T12:00:00Z",
         "startedAt":"2024-05-01T12:00:01Z","nextAttemptAt":null,"lastHeartbeatAt":null,
         "steps":[
           {"name":"PREFLIGHT","state":"SUCCEEDED","startedAt":"2024-05-01T12:00:01Z",
            "finishedAt":"2024-05-01T12:00:02.500Z","summary":"source 15, target 15"},
           {"name":"DUMP","state":"RUNNING","startedAt":"2024-05-01T12:00:03Z",
            "progress":{"percent":45.0,"bytesDone":1288490188,"bytesTotal":2863311530,
                        "tablesDone":3,"tablesTotal":10,"detail":"public.orders"}},
           {"name":"RESTORE","state":"PENDING"}],
         "attempts":[{"attempt":1,"state":"RUNNING","startedAt":"2024-05-01T12:00:01Z"}]}
        """
        .formatted(MIGRATION_ID);
  }

  static String succeeded() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"SUCCEEDED",
         "attempt":2,"maxAttempts":3,"createdAt":"2024-05-01T12:00:00Z",
         "startedAt":"2024-05-01T12:00:01Z","finishedAt":"2024-05-01T12:03:10Z",
         "verification":"2 databases, 14 tables: row counts and checksums equal",
         "steps":[
           {"name":"DUMP","state":"SUCCEEDED","startedAt":"2024-05-01T12:01:00Z",
            "finishedAt":"2024-05-01T12:01:30Z"},
           {"name":"VERIFY","state":"SUCCEEDED","startedAt":"2024-05-01T12:02:00Z",
            "finishedAt":"2024-05-01T12:02:10Z","summary":"14 tables equal"}],
         "attempts":[
           {"attempt":1,"state":"FAILED","startedAt":"2024-05-01T12:00:01Z",
            "finishedAt":"2024-05-01T12:00:40Z","error":"target refused connections"},
           {"attempt":2,"state":"SUCCEEDED","startedAt":"2024-05-01T12:00:45Z",
            "finishedAt":"2024-05-01T12:03:10Z"}],
         "someFutureField":{"x":1}}
        """
        .formatted(MIGRATION_ID);
  }

  static String retrying() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"RUNNING",
         "attempt":1,"maxAttempts":3,"createdAt":"2024-05-01T12:00:00Z",
         "nextAttemptAt":"2024-05-01T12:00:50Z","error":"target refused connections",
         "steps":[],
         "attempts":[{"attempt":1,"state":"FAILED","error":"target refused connections",
                      "retryable":true}]}
        """
        .formatted(MIGRATION_ID);
  }

  static String failedAtOnce() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"FAILED",
         "attempt":1,"maxAttempts":1,"error":"no agent for instance vm-1",
         "steps":[{"name":"PREFLIGHT","state":"PENDING"}],
         "attempts":[{"attempt":1,"state":"FAILED","error":"no agent for instance vm-1",
                      "retryable":false}]}
        """
        .formatted(MIGRATION_ID);
  }

  static String cancelling() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"RUNNING",
         "attempt":2,"maxAttempts":3,"createdAt":"2024-05-01T12:00:00Z",
         "startedAt":"2024-05-01T12:00:01Z","cancelRequestedAt":"2024-05-01T12:00:30Z",
         "cancelReason":"wrong target",
         "steps":[{"name":"DUMP","state":"RUNNING","startedAt":"2024-05-01T12:00:20Z"}],
         "attempts":[{"attempt":1,"state":"FAILED","error":"target refused connections",
                      "retryable":true},
                     {"attempt":2,"state":"RUNNING","startedAt":"2024-05-01T12:00:15Z"}]}
        """
        .formatted(MIGRATION_ID);
  }

  static String cancelled() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"CANCELLED",
         "attempt":2,"maxAttempts":3,"createdAt":"2024-05-01T12:00:00Z",
         "startedAt":"2024-05-01T12:00:01Z","finishedAt":"2024-05-01T12:00:40Z",
         "cancelRequestedAt":"2024-05-01T12:00:30Z","cancelReason":"wrong target",
         "error":"cancelled on request: wrong target (attempt 2 ended: migration cancelled: wrong target)",
         "steps":[{"name":"DUMP","state":"FAILED","startedAt":"2024-05-01T12:00:20Z",
                   "finishedAt":"2024-05-01T12:00:39Z","error":"migration cancelled: wrong target"}],
         "attempts":[{"attempt":1,"state":"FAILED","error":"target refused connections",
                      "retryable":true},
                     {"attempt":2,"state":"FAILED","startedAt":"2024-05-01T12:00:15Z",
                      "finishedAt":"2024-05-01T12:00:40Z",
                      "error":"migration cancelled: wrong target","retryable":false}]}
        """
        .formatted(MIGRATION_ID);
  }

  static String failed() {
    return """
        {"migrationId":"%s","requestId":"req-1","instanceId":"vm-1","state":"FAILED",
         "attempt":1,"maxAttempts":1,"createdAt":"2024-05-01T12:00:00Z",
         "finishedAt":"2024-05-01T12:00:05Z","error":"no agent for instance vm-1",
         "steps":[],"attempts":[]}
        """
        .formatted(MIGRATION_ID);
  }
}
