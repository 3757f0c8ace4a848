package io.pgshuttle.coordinator.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON field names of the status view are a contract: this test pins them. */
class MigrationStatusJsonTest {
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  @Test
  void writesEveryDocumentedFieldWithIsoTimestampsAndExplicitNulls() throws Exception {
    Instant created = Instant.parse("2025-01-31T12:00:00.123Z");
    StepStatus dump =
        new StepStatus(
            Step.DUMP,
            StepState.RUNNING,
            created.plusSeconds(5),
            null,
            new StepProgressView(40.0, 400L, 1000L, 2, 5, "public.orders", 95L),
            null,
            null);
    MigrationStatus status =
        new MigrationStatus(
            MigrationId.forRequest("r-1"),
            "r-1",
            "vm-1",
            MigrationState.RUNNING,
            1,
            3,
            created,
            created.plusSeconds(1),
            null,
            created.plusSeconds(6),
            null,
            created.plusSeconds(6),
            null,
            null,
            created.plusSeconds(6),
            "wrong target",
            List.of(StepStatus.pending(Step.PREFLIGHT), dump),
            List.of(new AttemptStatus(1, AttemptState.RUNNING, created, null, null, null)));

    JsonNode json = mapper.readTree(mapper.writeValueAsString(status));

    assertThat(names(json))
        .containsExactly(
            "migrationId",
            "requestId",
            "instanceId",
            "state",
            "attempt",
            "maxAttempts",
            "createdAt",
            "startedAt",
            "finishedAt",
            "updatedAt",
            "nextAttemptAt",
            "lastHeartbeatAt",
            "error",
            "verification",
            "cancelRequestedAt",
            "cancelReason",
            "steps",
            "attempts");
    assertThat(json.get("migrationId").asText())
        .isEqualTo(MigrationId.forRequest("r-1").toString());
    assertThat(json.get("state").asText()).isEqualTo("RUNNING");
    assertThat(json.get("createdAt").asText()).isEqualTo("2025-01-31T12:00:00.123Z");
    assertThat(json.get("finishedAt").isNull()).isTrue();
    assertThat(json.get("error").isNull()).isTrue();
    assertThat(json.get("cancelRequestedAt").asText()).isEqualTo("2025-01-31T12:00:06.123Z");
    assertThat(json.get("cancelReason").asText()).isEqualTo("wrong target");

    JsonNode step = json.get("steps").get(1);
    assertThat(names(step))
        .containsExactly(
            "name", "state", "startedAt", "finishedAt", "progress", "summary", "error");
    assertThat(step.get("name").asText()).isEqualTo("DUMP");
    assertThat(names(step.get("progress")))
        .containsExactly(
            "percent",
            "bytesDone",
            "bytesTotal",
            "tablesDone",
            "tablesTotal",
            "detail",
            "etaSeconds");
    assertThat(step.at("/progress/bytesDone").asLong()).isEqualTo(400L);
    assertThat(step.at("/progress/etaSeconds").asLong()).isEqualTo(95L);
    assertThat(json.get("steps").get(0).get("state").asText()).isEqualTo("PENDING");
    assertThat(json.get("steps").get(0).get("progress").isNull()).isTrue();

    assertThat(names(json.get("attempts").get(0)))
        .containsExactly("attempt", "state", "startedAt", "finishedAt", "error", "retryable");
  }

  @Test
  void readsBackWhatItWrites() throws Exception {
    MigrationStatus status =
        new MigrationStatus(
            MigrationId.forRequest("r-2"),
            "r-2",
            "vm-2",
            MigrationState.FAILED,
            2,
            2,
            Instant.parse("2025-02-01T00:00:00Z"),
            null,
            Instant.parse("2025-02-01T00:10:00Z"),
            Instant.parse("2025-02-01T00:10:00Z"),
            null,
            null,
            "no agent for instance vm-2",
            null,
            null,
            null,
            List.of(StepStatus.pending(Step.PREFLIGHT)),
            List.of());

    assertThat(mapper.readValue(mapper.writeValueAsString(status), MigrationStatus.class))
        .isEqualTo(status);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
