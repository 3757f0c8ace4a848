package io.pgshuttle.messages;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private final MessageCodec codec = new MessageCodec();

  private static MigrationRequest request() {
    return new MigrationRequest(
        "req-1",
        "vm-1",
        List.of("app", "Grüße"),
        new TargetServer("db.example", 5432, "admin", Secret.of("s3cr3t-pw"), SslMode.VERIFY_FULL),
        new MigrationOptions(4, null, true, null));
  }

  @Test
  void requestRoundTripsWithDefaultsFilled() throws Exception {
    Envelope<MigrationRequest> sent = Envelope.ofRequest(request());

    byte[] wire = codec.encode(sent);
    Envelope<MigrationRequest> received = codec.decode(wire, MigrationRequest.class);

    assertThat(received).isEqualTo(sent);
    assertThat(received.payload().options())
        .isEqualTo(new MigrationOptions(4, 3, true, VerifyLevel.FULL));
    assertThat(received.migrationId()).isEqualTo(MigrationId.forRequest("req-1"));
    String json = new String(wire, UTF_8);
    assertThat(json)
        .contains("\"type\":\"MigrationRequest\"", "\"version\":1", "\"sslmode\":\"verify-full\"")
        .doesNotContain("io.pgshuttle");
  }

  @Test
  void everyEventTypeRoundTrips() throws Exception {
    MigrationId id = MigrationId.forRequest("r");
    List<Event> events =
        List.of(
            new StepStarted(Step.DUMP),
            new StepProgress(Step.DUMP, 50.0, 10L, 20L, 1, 2, "public.t"),
            new StepProgress(Step.DUMP, 50.0, 10L, 20L, 1, 2, "public.t", 95L),
            new StepSucceeded(Step.VERIFY, 1200, "3 tables equal"),
            new StepFailed(Step.RESTORE, "target refused", true),
            new AttemptFailed(Step.RESTORE, "target refused", true, List.of("drop failed")),
            new MigrationSucceeded(List.of("app"), "ok"),
            new MigrationFailed("no agent for instance vm-1"),
            new MigrationCancelled("wrong target"),
            new MigrationCancelled(null),
            new AgentHeartbeat(Step.DUMP),
            new LeftoversSwept(
                UUID.randomUUID(),
                List.of(new Leftover(Leftover.Kind.DISK, "vol-1", id, null)),
                List.of(new Leftover(Leftover.Kind.DATABASE, "pgshuttle_stage_x_1", id, "why")),
                List.of(id)));
    long seq = 0;
    for (Event event : events) {
      Envelope<Event> sent = Envelope.of("vm-1", id, 2, ++seq, event);
      assertThat(codec.decode(codec.encode(sent), Event.class)).isEqualTo(sent);
    }
  }

  @Test
  void migrationCancelledTravelsByItsLogicalNameUnderTheCoordinatorsSeq() throws Exception {
    MigrationId id = MigrationId.forRequest("r");
    Envelope<Event> sent =
        Envelope.of(
            "vm-1",
            id,
            0,
            Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ,
            new MigrationCancelled("maintenance window closed"));

    byte[] wire = codec.encode(sent);

    assertThat(codec.decode(wire, Event.class)).isEqualTo(sent);
    assertThat(new String(wire, UTF_8))
        .contains(
            "\"type\":\"MigrationCancelled\"",
            "\"seq\":9007199254740989",
            "\"reason\":\"maintenance window closed\"");
    assertThat(MessageCodec.typeNames()).contains("MigrationCancelled");
    assertThat(Envelope.COORDINATOR_MIGRATION_CANCELLED_SEQ)
        .isLessThan(Envelope.COORDINATOR_ATTEMPT_FAILED_SEQ)
        .isLessThan(Envelope.COORDINATOR_MIGRATION_FAILED_SEQ);
    assertThatThrownBy(() -> codec.decode(wire, Command.class))
        .hasMessage("message type 'MigrationCancelled' is not a Command");
  }

  @Test
  void sweepLeftoversCarriesEachTargetWithItsPasswordOnTheWireButNeverPrintsIt() throws Exception {
    MigrationId ended = MigrationId.forRequest("ended");
    SweepLeftovers sweep =
        new SweepLeftovers(
            "vm-1",
            UUID.randomUUID(),
            List.of(
                new EndedMigration(
                    ended,
                    new TargetServer(
                        "db.example", 5432, "admin", Secret.of("s3cr3t-pw"), SslMode.REQUIRE))));
    Envelope<SweepLeftovers> sent = Envelope.of("vm-1", sweep.envelopeId(), 0, 0, sweep);

    byte[] wire = codec.encode(sent);

    assertThat(codec.decode(wire, Command.class)).isEqualTo(sent);
    assertThat(new String(wire, UTF_8))
        .contains(
            "\"type\":\"SweepLeftovers\"",
            "\"sweepId\":\"" + sweep.sweepId() + "\"",
            "\"migrationId\":\"" + sweep.sweepId() + "\"",
            "\"password\":\"s3cr3t-pw\"");
    assertThat(sent.toString()).doesNotContain("s3cr3t-pw").contains("******");
    assertThatThrownBy(() -> codec.decode(wire, Event.class))
        .hasMessage("message type 'SweepLeftovers' is not a Event");
    LeftoversSwept report = new LeftoversSwept(sweep.sweepId(), null, null, null);
    assertThat(report.isEmpty()).isTrue();
    assertThat(report.envelopeId()).isEqualTo(sweep.envelopeId());
  }

  @Test
  void secretNeverPrints() {
    MigrationRequest request = request();
    assertThat(request.toString()).doesNotContain("s3cr3t-pw").contains("******");
    assertThat(Envelope.ofRequest(request).toString()).doesNotContain("s3cr3t-pw");
    assertThat(request.withoutPassword().target().password()).isNull();
  }

  @Test
  void refusesMalformedJson() {
    assertThatThrownBy(() -> codec.decode("{not json".getBytes(UTF_8)))
        .isInstanceOf(MessageDecodingException.class)
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> codec.decode("[1,2]".getBytes(UTF_8)))
        .hasMessageContaining("expected a JSON object");
  }

  @Test
  void refusesUnknownTypeAndVersionNamingThem() throws Exception {
    ObjectNode node = wireTree();
    node.put("type", "LaunchMissiles");
    assertThatThrownBy(() -> codec.decode(bytes(node)))
        .hasMessageContaining("unknown message type 'LaunchMissiles'")
        .hasMessageContaining("StartMigration");

    ObjectNode versioned = wireTree();
    versioned.put("version", 7);
    assertThatThrownBy(() -> codec.decode(bytes(versioned)))
        .hasMessageContaining("unknown version 7 of MigrationRequest");
  }

  @Test
  void refusesMissingFieldsNamingThem() throws Exception {
    ObjectNode header = wireTree();
    header.remove("migrationId");
    assertThatThrownBy(() -> codec.decode(bytes(header)))
        .hasMessage("missing field 'migrationId' in MigrationRequest");

    ObjectNode body = wireTree();
    ((ObjectNode) body.get("body")).remove("instanceId");
    assertThatThrownBy(() -> codec.decode(bytes(body)))
        .hasMessageContaining("missing field 'instanceId' in MigrationRequest");

    ObjectNode nested = wireTree();
    ((ObjectNode) nested.get("body").get("target")).remove("host");
    assertThatThrownBy(() -> codec.decode(bytes(nested)))
        .hasMessageContaining("missing field 'target.host' in MigrationRequest");
  }

  @Test
  void refusesWrongFieldTypesAndWrongPayloadKind() throws Exception {
    ObjectNode node = wireTree();
    ((ObjectNode) node.get("body").get("target")).put("port", "five");
    assertThatThrownBy(() -> codec.decode(bytes(node))).hasMessageContaining("'target.port'");

    byte[] request = codec.encode(Envelope.ofRequest(request()));
    assertThatThrownBy(() -> codec.decode(request, Event.class))
        .hasMessage("message type 'MigrationRequest' is not a Event");
  }

  @Test
  void refusesDeepNestingAndOversizedMessages() {
    String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
    assertThatThrownBy(() -> codec.decode(deep.getBytes(UTF_8)))
        .isInstanceOf(MessageDecodingException.class);
    assertThatThrownBy(() -> codec.decode(new byte[MessageCodec.MAX_MESSAGE_BYTES + 1]))
        .hasMessageContaining("over the limit");
  }

  @Test
  void validationSaysWhatToFix() {
    MigrationRequest bad =
        new MigrationRequest(
            "r",
            "vm.1",
            List.of("a", "a", ""),
            new TargetServer("", 70000, "", null, null),
            new MigrationOptions(0, 99, null, null));
    assertThat(bad.problems())
        .containsExactly(
            "instanceId 'vm.1' is invalid: use 1 to 63 letters, digits, '_' or '-', starting with"
                + " a letter or digit",
            "database 'a' is named twice",
            "database name '' is invalid: use 1 to 63 bytes, no NUL",
            "target.host is empty: name the target server",
            "target.port 70000 is not a TCP port (1 to 65535)",
            "target.user is empty: name a role that can create databases and roles",
            "options.jobs must be 1 to 64, not 0",
            "options.maxAttempts must be 1 to 20, not 99");
    assertThat(request().problems()).isEmpty();
  }

  @Test
  void topologyNamesAreNamespaced() {
    Topology topology = new Topology("t1");
    MigrationId id = MigrationId.forRequest("r");
    assertThat(topology.agentQueue("vm-1")).isEqualTo("t1.agent.vm-1");
    assertThat(topology.agentControlQueue("vm-1")).isEqualTo("t1.agent.vm-1.control");
    assertThat(topology.eventRoutingKey("vm-1", id, "StepStarted"))
        .isEqualTo("vm-1." + id + ".StepStarted");
    assertThatThrownBy(() -> topology.agentQueue("a.b")).hasMessageContaining("invalid instance");
  }

  private ObjectNode wireTree() throws Exception {
    return (ObjectNode)
        MessageCodec.newObjectMapper().readTree(codec.encode(Envelope.ofRequest(request())));
  }

  private static byte[] bytes(ObjectNode node) throws Exception {
    return MessageCodec.newObjectMapper().writeValueAsBytes(node);
  }
}
