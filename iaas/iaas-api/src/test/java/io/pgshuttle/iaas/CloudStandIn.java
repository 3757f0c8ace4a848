package io.pgshuttle.iaas;

import java.util.Map;
import java.util.function.Consumer;

/**
 * A local HTTP server that answers like one cloud's disk API, with the state of a fake account and
 * a fake VM. Each cloud provider module ships one in its test-jar; the end-to-end tests run an
 * agent against it, and create the device the fake VM's kernel would show for each attached disk.
 * Thread-safe.
 */
public interface CloudStandIn extends AutoCloseable {

  /** The provider id this stand-in is for, such as {@code aws}. */
  String providerId();

  /** The {@code agent.iaasSettings} that point the provider at this stand-in. */
  Map<String, String> settings();

  /** Environment variables the provider's SDK needs here (dummy credentials and the like). */
  Map<String, String> environment();

  /**
   * Registers {@code devicePath}, called with the absolute path (such as {@code
   * /dev/disk/by-id/google-pgshuttle-1}) at which the fake VM's kernel shows each disk once it is
   * attached, before the attach call is answered as complete.
   */
  void onAttach(Consumer<String> devicePath);

  /** The ids of the disks that exist in the fake account now, in any state. */
  java.util.List<String> diskIds();

  /** Stops the server. */
  @Override
  void close();
}
