package io.pgshuttle.iaas.openstack;

import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.ProviderSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.openstack4j.api.types.Facing;

/**
 * Provider {@code openstack}: Cinder volumes attached through Nova. Settings ({@code
 * agent.iaasSettings}):
 *
 * <ul>
 *   <li>{@code vmId} (required): this VM's Nova server id (BOSH's VM CID).
 *   <li>{@code availabilityZone} (required): the Cinder availability zone volumes are made in,
 *       normally the VM's.
 *   <li>{@code volumeType} (optional): the Cinder volume type; the cloud's default when absent.
 *   <li>{@code region} (optional): the region of Keystone's service catalog whose Cinder and Nova
 *       endpoints to use; {@code OS_REGION_NAME} when absent, else the catalog's first.
 *   <li>{@code operationTimeout} (default PT10M): how long to wait for a volume to be created,
 *       attached, detached or deleted.
 *   <li>{@code pollInterval} (default PT2S): how often to read the volume's status meanwhile.
 * </ul>
 *
 * <p>There is no {@code endpoint} setting: {@code OS_AUTH_URL} is the one endpoint, Keystone's, and
 * its service catalog names the Cinder ({@code volumev3}) and Nova ({@code compute}) endpoints.
 *
 * <p>Credentials come only from the agent's environment, the standard variables an openrc file
 * sets: {@code OS_AUTH_URL}, then either {@code OS_APPLICATION_CREDENTIAL_ID} and {@code
 * OS_APPLICATION_CREDENTIAL_SECRET}, or {@code OS_USERNAME}, {@code OS_PASSWORD}, {@code
 * OS_USER_DOMAIN_NAME} (or {@code _ID}) and {@code OS_PROJECT_ID} (or {@code OS_PROJECT_NAME} with
 * {@code OS_PROJECT_DOMAIN_NAME}); {@code OS_INTERFACE} picks the catalog's interface (public by
 * default). Thread-safe; {@link #create} does no I/O.
 */
public final class OpenStackDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "openstack";
  public static final String VM_ID = "vmId";
  public static final String AVAILABILITY_ZONE = "availabilityZone";
  public static final String VOLUME_TYPE = "volumeType";
  public static final String REGION = "region";
  public static final String OPERATION_TIMEOUT = "operationTimeout";
  public static final String POLL_INTERVAL = "pollInterval";

  static final String REGION_NAME_VARIABLE = "OS_REGION_NAME";
  static final String INTERFACE_VARIABLE = "OS_INTERFACE";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    return create(settings, System.getenv());
  }

  /** A provisioner configured by {@code settings}, with credentials from {@code environment}. */
  DiskProvisioner create(Map<String, String> settings, Map<String, String> environment) {
    ProviderSettings read = new ProviderSettings(ID, settings);
    String vmId = read.required(VM_ID, "this VM's Nova server id");
    String availabilityZone =
        read.required(AVAILABILITY_ZONE, "the Cinder availability zone of the volumes");
    Duration operationTimeout = read.operationTimeout();
    Duration pollInterval = read.pollInterval();
    Optional<String> region =
        read.optional(REGION).or(() -> nonBlank(environment.get(REGION_NAME_VARIABLE)));
    Facing facing = Facing.value(environment.get(INTERFACE_VARIABLE));
    KeystoneSession session =
        new KeystoneSession(OpenStackCredentials.fromEnvironment(environment), facing, region);
    return new OpenStackDiskProvisioner(
        session,
        vmId,
        availabilityZone,
        read.optional(VOLUME_TYPE),
        operationTimeout,
        pollInterval);
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }
}
