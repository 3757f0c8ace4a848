package io.pgshuttle.iaas;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds providers on the class path by id. */
public final class DiskProvisioners {
  private DiskProvisioners() {}

  /**
   * The provisioner of provider {@code id}, configured by {@code settings}.
   *
   * @throws PermanentIaasException if no provider has that id, naming the ids there are
   */
  public static DiskProvisioner create(String id, Map<String, String> settings) {
    Map<String, DiskProvisionerProvider> providers = new TreeMap<>();
    for (DiskProvisionerProvider provider : ServiceLoader.load(DiskProvisionerProvider.class)) {
      providers.put(provider.id(), provider);
    }
    DiskProvisionerProvider provider = providers.get(id);
    if (provider == null) {
      throw new PermanentIaasException(
          "no disk provider '" + id + "': set PGSHUTTLE_IAAS to one of " + providers.keySet());
    }
    return provider.create(settings);
  }
}
