package io.pgshuttle.iaas.azure;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.PermanentIaasException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings are checked before anything is built; each error names the key to fix. */
class AzureDiskProvisionerProviderTest {
  private static final String VM =
      "/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/pg-0";

  @Test
  void aMissingSettingIsNamed() {
    assertRefused(Map.of("location", "westeurope"), "agent.iaasSettings.vmId");
    assertRefused(Map.of("vmId", VM), "agent.iaasSettings.location");
  }

  @Test
  void aVmIdThatIsNoVirtualMachinesResourceIdIsRefused() {
    assertRefused(with("vmId", "pg-0"), "agent.iaasSettings.vmId");
    assertRefused(with("vmId", VM.replace("virtualMachines", "disks")), "agent.iaasSettings.vmId");
  }

  @Test
  void malformedValuesAreRefused() {
    assertRefused(with("pollInterval", "PT0S"), "agent.iaasSettings.pollInterval");
    assertRefused(with("operationTimeout", "soon"), "agent.iaasSettings.operationTimeout");
    assertRefused(with("maxAttempts", "0"), "agent.iaasSettings.maxAttempts");
    assertRefused(with("endpoint", "management.azure.com"), "agent.iaasSettings.endpoint");
  }

  private static Map<String, String> with(String key, String value) {
    Map<String, String> settings = new HashMap<>(Map.of("vmId", VM, "location", "westeurope"));
    settings.put(key, value);
    return settings;
  }

  private static void assertRefused(Map<String, String> settings, String named) {
    assertThatThrownBy(() -> DiskProvisioners.create("azure", settings))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining(named);
  }
}
