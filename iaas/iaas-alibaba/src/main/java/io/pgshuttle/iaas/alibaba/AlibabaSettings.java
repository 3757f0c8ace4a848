package io.pgshuttle.iaas.alibaba;

import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.ProviderSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code agent.iaasSettings} of the alibaba provider, read and checked. Keys are documented on
 * {@link AlibabaDiskProvisionerProvider}.
 *
 * @param endpoint the ECS API endpoint override, as given (with or without a scheme)
 */
record AlibabaSettings(
    String vmId,
    String regionId,
    String zoneId,
    String diskCategory,
    Duration operationTimeout,
    Duration pollInterval,
    Optional<String> endpoint) {

  static final String VM_ID = "vmId";
  static final String REGION_ID = "regionId";
  static final String ZONE_ID = "zoneId";
  static final String DISK_CATEGORY = "diskCategory";
  static final String OPERATION_TIMEOUT = "operationTimeout";
  static final String POLL_INTERVAL = "pollInterval";
  static final String ENDPOINT = "endpoint";

  static final String DEFAULT_DISK_CATEGORY = "cloud_essd";

  /**
   * Reads and checks the settings.
   *
   * @throws PermanentIaasException naming the key that is missing or wrong
   */
  static AlibabaSettings read(Map<String, String> raw) {
    ProviderSettings settings = new ProviderSettings(AlibabaDiskProvisionerProvider.ID, raw);
    return new AlibabaSettings(
        settings.required(VM_ID, "the ECS instance id of this VM (i-...)"),
        settings.required(REGION_ID, "the region of this VM, such as cn-hangzhou"),
        settings.required(ZONE_ID, "the zone of this VM, such as cn-hangzhou-k"),
        settings.optional(DISK_CATEGORY, DEFAULT_DISK_CATEGORY),
        settings.operationTimeout(),
        settings.pollInterval(),
        settings.optional(ENDPOINT));
  }

  /** {@code agent.iaasSettings.<key>}, the name an operator looks for in the configuration. */
  static String key(String key) {
    return "agent.iaasSettings." + key;
  }
}
