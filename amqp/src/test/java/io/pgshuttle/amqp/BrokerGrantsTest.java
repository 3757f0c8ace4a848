package io.pgshuttle.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.messages.Topology;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The permission patterns, read as the broker reads them (a match anywhere in the name). */
class BrokerGrantsTest {
  static final Topology TOPOLOGY = Topology.standard();

  @Test
  void anAgentReadsOnlyItsOwnQueuesAndWritesOnlyEvents() {
    BrokerGrants.Grant grant = BrokerGrants.agent(TOPOLOGY, "vm-1");

    assertThat(grant.user()).isEqualTo("agent-vm-1");
    assertThat(matches(grant.read(), "pgshuttle.agent.vm-1", "pgshuttle.agent.vm-1.control"))
        .isTrue();
    assertThat(
            matchesAny(
                grant.read(),
                "pgshuttle.agent.vm-10",
                "pgshuttle.agent.vm-2",
                "pgshuttle.agentXvm-1",
                "pgshuttle.requests",
                "pgshuttle.coordinator.events"))
        .isFalse();
    assertThat(matches(grant.write(), "pgshuttle.events")).isTrue();
    assertThat(matchesAny(grant.write(), "pgshuttle.commands", "pgshuttle.control", "amq.default"))
        .isFalse();
    assertThat(matchesAny(grant.configure(), "pgshuttle.agent.vm-1", "pgshuttle.events")).isFalse();
  }

  @Test
  void anAgentPublishesOnlyRoutingKeysOfItsInstance() {
    String keys = BrokerGrants.agent(TOPOLOGY, "vm-1").eventsWrite();

    assertThat(matches(keys, "vm-1.m.StepStarted")).isTrue();
    assertThat(matchesAny(keys, "vm-10.m.StepStarted", "vm-2.m.StepStarted", "vm-1")).isFalse();
  }

  @Test
  void theCoordinatorNeverReadsAnAgentsQueue() {
    BrokerGrants.Grant grant = BrokerGrants.coordinator(TOPOLOGY);

    assertThat(matches(grant.read(), "pgshuttle.requests", "pgshuttle.coordinator.events"))
        .isTrue();
    assertThat(matchesAny(grant.read(), "pgshuttle.agent.vm-1", "pgshuttle.agent.vm-1.control"))
        .isFalse();
    assertThat(matchesAny(grant.configure(), "pgshuttle.agent.vm-1")).isFalse();
  }

  @Test
  void aControlPlaneWritesNoCommandsNorEvents() {
    BrokerGrants.Grant grant = BrokerGrants.controlPlane(TOPOLOGY);

    assertThat(matches(grant.write(), "amq.default", "amq.gen-abc")).isTrue();
    assertThat(matchesAny(grant.write(), "pgshuttle.commands", "pgshuttle.events")).isFalse();
    assertThat(matches(grant.read(), "pgshuttle.events", "amq.gen-abc")).isTrue();
    assertThat(matchesAny(grant.read(), "pgshuttle.requests", "pgshuttle.agent.vm-1")).isFalse();
  }

  @Test
  void onlyTheInstancesAgentOrTheCoordinatorSpeaksForAnInstance() {
    String coordinator = BrokerGrants.COORDINATOR_USER;

    assertThat(BrokerGrants.isTrustedEventPublisher("agent-vm-1", "vm-1", coordinator)).isTrue();
    assertThat(BrokerGrants.isTrustedEventPublisher(coordinator, "vm-1", coordinator)).isTrue();
    assertThat(BrokerGrants.isTrustedEventPublisher("agent-vm-2", "vm-1", coordinator)).isFalse();
    assertThat(BrokerGrants.isTrustedEventPublisher(null, "vm-1", coordinator)).isFalse();
    assertThat(BrokerGrants.isTrustedEventPublisher("agent-x y", "x y", coordinator)).isFalse();
  }

  @Test
  void anInvalidInstanceHasNoUser() {
    assertThatThrownBy(() -> BrokerGrants.agentUser("a.b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a.b");
  }

  private static boolean matches(String regex, String... names) {
    for (String name : names) {
      if (!Pattern.compile(regex).matcher(name).find()) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesAny(String regex, String... names) {
    for (String name : names) {
      if (Pattern.compile(regex).matcher(name).find()) {
        return true;
      }
    }
    return false;
  }
}
