package io.pgshuttle.iaas.azure;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one {@link AzureDiskProvisioner}; see {@link
 * AzureDiskProvisionerProvider} for what each means. Immutable; no field is null.
 *
 * @param vm this VM
 * @param subscriptionId the subscription disks are made in
 * @param resourceGroup the resource group disks are made in
 * @param zone the availability zone of the disks, empty for a regional disk
 */
record AzureSettings(
    ArmId vm,
    String subscriptionId,
    String resourceGroup,
    String location,
    Optional<String> zone,
    String diskType,
    Duration operationTimeout,
    Duration pollInterval) {

  AzureSettings {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    Objects.requireNonNull(resourceGroup, "resourceGroup");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(diskType, "diskType");
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }

  /** The id of the disk called {@code name} in the configured resource group. */
  ArmId disk(String name) {
    return ArmId.disk(subscriptionId, resourceGroup, name);
  }
}
