package io.pgshuttle.coordinator.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Leftover;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The JSON of a sweep is a contract, like the status view's: this test pins its field names. */
class SweepStatusJsonTest {
  private final ObjectMapper mapper = MessageCodec.newObjectMapper();

  @Test
  void writesEveryDocumentedFieldWithExplicitNullsAndWhetherTheSweepIsComplete() throws Exception {
    MigrationId ended = MigrationId.forRequest("r-1");
    SweepInstanceStatus reported =
        new SweepInstanceStatus(
            "vm-1",
            SweepInstanceState.REPORTED,
            List.of(ended),
            null,
            Instant.parse("2025-01-31T12:00:05Z"),
            List.of(new Leftover(Leftover.Kind.DISK, "vol-1", ended, null)),
            List.of(),
            List.of(ended));
    SweepInstanceStatus sent =
        new SweepInstanceStatus(
            "vm-2", SweepInstanceState.SENT, List.of(), null, null, null, null, null);
    SweepStatus sweep =
        new SweepStatus(
            UUID.randomUUID(),
            SweepTrigger.REQUEST,
            null,
            Instant.parse("2025-01-31T12:00:00Z"),
            List.of(reported, sent));

    JsonNode json = mapper.readTree(mapper.writeValueAsString(sweep));

    assertThat(names(json))
        .containsExactly(
            "sweepId", "trigger", "instanceId", "requestedAt", "complete", "instances");
    assertThat(json.get("complete").asBoolean()).isFalse();
    assertThat(json.get("instanceId").isNull()).isTrue();
    assertThat(names(json.at("/instances/0")))
        .containsExactly(
            "instanceId",
            "state",
            "migrations",
            "error",
            "reportedAt",
            "removed",
            "notRemoved",
            "cleanMigrations");
    assertThat(names(json.at("/instances/0/removed/0")))
        .containsExactly("kind", "name", "migrationId", "detail");
    assertThat(json.at("/instances/0/removed/0/detail").isNull()).isTrue();
    assertThat(json.at("/instances/1/removed").isNull()).isTrue();
    assertThat(
            new SweepStatus(
                    sweep.sweepId(),
                    sweep.trigger(),
                    "vm-1",
                    sweep.requestedAt(),
                    List.of(reported))
                .complete())
        .isTrue();
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
