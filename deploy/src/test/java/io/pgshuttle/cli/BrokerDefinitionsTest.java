package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.messages.Topology;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BrokerDefinitionsTest {
  @Test
  void theShippedDefinitionsAreWhatTheCoordinatorDeclaresInProduction() throws Exception {
    JsonNode shipped = new ObjectMapper().readTree(Path.of("broker/definitions.json").toFile());

    assertThat(shipped).isEqualTo(BrokerDefinitions.of(Topology.standard(), "/"));
  }

  @Test
  void everyObjectIsInTheNamedVhostAndNamespace() {
    JsonNode definitions = BrokerDefinitions.of(new Topology("other"), "prod");

    assertThat(definitions.findValuesAsText("vhost")).isNotEmpty().containsOnly("prod");
    assertThat(definitions.findValuesAsText("name"))
        .contains("other.requests", "other.events", "other.coordinator.events")
        .allMatch(name -> name.equals("prod") || name.startsWith("other."));
  }
}
