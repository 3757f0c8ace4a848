/**
 * The {@code gcp} disk provider: zonal persistent disks of Google Compute Engine, created, attached
 * to this VM with the disk's name as device name ({@code /dev/disk/by-id/google-<name>}), detached
 * and deleted through google-cloud-compute, waiting on the zone operations. No SDK type leaves this
 * package.
 */
package io.pgshuttle.iaas.gcp;
