package io.pgshuttle.iaas.aws;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated settings of one {@link AwsDiskProvisioner}; see {@link AwsDiskProvisionerProvider}
 * for what each means. Immutable; no field is null.
 */
record AwsSettings(
    String vmId,
    String region,
    String availabilityZone,
    String volumeType,
    Optional<String> kmsKeyId,
    Duration operationTimeout,
    Duration pollInterval) {

  AwsSettings {
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(availabilityZone, "availabilityZone");
    Objects.requireNonNull(volumeType, "volumeType");
    Objects.requireNonNull(kmsKeyId, "kmsKeyId");
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }
}
