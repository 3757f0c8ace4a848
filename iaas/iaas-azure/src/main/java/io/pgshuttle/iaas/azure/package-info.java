/**
 * The {@code azure} disk provider: auxiliary disks as Azure managed disks, attached to this VM by
 * an update of its {@code storageProfile.dataDisks} at a LUN the provider chooses. Nothing outside
 * this package sees an Azure SDK type.
 */
package io.pgshuttle.iaas.azure;
