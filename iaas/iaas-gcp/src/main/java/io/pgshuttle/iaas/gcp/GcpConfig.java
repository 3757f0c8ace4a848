package io.pgshuttle.iaas.gcp;

import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.ProviderSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The gcp provider's settings, read and checked once. Immutable; no component is null.
 *
 * @param project the project id of this VM and of its disks
 * @param zone this VM's zone, where disks are made
 * @param vmId this VM's instance name
 * @param diskType a disk type name of the zone, or a diskTypes URL
 * @param endpoint the Compute API endpoint, when not Google's
 */
record GcpConfig(
    String project,
    String zone,
    String vmId,
    String diskType,
    Duration operationTimeout,
    Duration pollInterval,
    Optional<String> endpoint) {

  static final String VM_ID = "vmId";
  static final String PROJECT = "project";
  static final String ZONE = "zone";
  static final String DISK_TYPE = "diskType";
  static final String OPERATION_TIMEOUT = "operationTimeout";
  static final String POLL_INTERVAL = "pollInterval";
  static final String ENDPOINT = "endpoint";

  static final String DEFAULT_DISK_TYPE = "pd-balanced";

  /**
   * The settings of {@code agent.iaasSettings}.
   *
   * @throws PermanentIaasException naming the key that is missing or wrong
   */
  static GcpConfig from(Map<String, String> settings) {
    ProviderSettings read = new ProviderSettings(GcpDiskProvisionerProvider.ID, settings);
    return new GcpConfig(
        read.required(PROJECT, "the project id of this VM"),
        read.required(ZONE, "the zone of this VM, such as europe-west1-b"),
        read.required(VM_ID, "the instance name of this VM"),
        read.optional(DISK_TYPE, DEFAULT_DISK_TYPE),
        read.operationTimeout(),
        read.pollInterval(),
        read.optional(ENDPOINT));
  }

  /**
   * Whether the endpoint is plain HTTP: a local stand-in of the API, which is called without
   * credentials so that no token ever travels unencrypted.
   */
  boolean plainHttp() {
    return endpoint.filter(url -> url.startsWith("http://")).isPresent();
  }

  /** The partial URL of the disk type, as disks.insert takes it. */
  String diskTypePath() {
    return diskType.contains("/") ? diskType : zonePath() + "/diskTypes/" + diskType;
  }

  /** The partial URL of a disk of this zone, as attachDisk takes it and GCP reports it. */
  String diskPath(String diskName) {
    return zonePath() + "/disks/" + diskName;
  }

  private String zonePath() {
    return "projects/" + project + "/zones/" + zone;
  }
}
