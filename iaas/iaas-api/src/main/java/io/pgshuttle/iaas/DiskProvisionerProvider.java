package io.pgshuttle.iaas;

import java.util.Map;

/**
 * Makes a {@link DiskProvisioner} from configuration. Each provider module registers one in {@code
 * META-INF/services/io.pgshuttle.iaas.DiskProvisionerProvider}; the agent picks it by {@link
 * #id()}.
 */
public interface DiskProvisionerProvider {

  /** The id that selects this provider, such as {@code local}; the value of PGSHUTTLE_IAAS. */
  String id();

  /**
   * A provisioner configured by {@code settings} (provider-specific keys, documented in README).
   *
   * @throws PermanentIaasException if a setting is missing or wrong, naming the setting
   */
  DiskProvisioner create(Map<String, String> settings);
}
