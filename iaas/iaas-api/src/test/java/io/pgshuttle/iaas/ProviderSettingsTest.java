package io.pgshuttle.iaas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProviderSettingsTest {
  private static ProviderSettings settings(Map<String, String> values) {
    return new ProviderSettings("aws", values);
  }

  @Test
  void missingRequiredSettingNamesTheKeyAndWhatItIs() {
    PermanentIaasException error =
        assertThrows(
            PermanentIaasException.class,
            () -> settings(Map.of("vmId", " ")).required("vmId", "this VM's instance id"));
    assertEquals(
        "the aws disk provider needs this VM's instance id: set agent.iaasSettings.vmId",
        error.getMessage());
  }

  @Test
  void durationsReadIsoOrSecondsWithSharedDefaults() {
    assertEquals(Duration.ofMinutes(10), settings(Map.of()).operationTimeout());
    assertEquals(Duration.ofSeconds(2), settings(Map.of()).pollInterval());
    assertEquals(
        Duration.ofMinutes(5), settings(Map.of("operationTimeout", "PT5M")).operationTimeout());
    assertEquals(
        Duration.ofSeconds(300), settings(Map.of("operationTimeout", "300")).operationTimeout());
  }

  @Test
  void badOrNonPositiveDurationsAndNumbersNameTheKey() {
    for (String bad : new String[] {"soon", "PT0S", "-PT1S", "0"}) {
      PermanentIaasException error =
          assertThrows(
              PermanentIaasException.class,
              () -> settings(Map.of("pollInterval", bad)).pollInterval(),
              bad);
      assertTrue(error.getMessage().startsWith("agent.iaasSettings.pollInterval"), bad);
      assertTrue(error.getMessage().endsWith("not '" + bad + "'"), error.getMessage());
    }
    assertThrows(
        PermanentIaasException.class,
        () -> settings(Map.of("maxAttempts", "x")).integer("maxAttempts", 3));
  }
}
