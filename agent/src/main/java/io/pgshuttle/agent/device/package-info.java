/**
 * Where an attached disk shows up inside the VM, and its file system: {@link
 * io.pgshuttle.agent.device.DeviceResolver} turns a provider's generic device hints into a device
 * path, as BOSH's agent does; {@link io.pgshuttle.agent.device.DiskMounter} makes a file system on
 * it and mounts it.
 */
package io.pgshuttle.agent.device;
