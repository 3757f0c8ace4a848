/**
 * The auxiliary-disk SPI: {@link io.pgshuttle.iaas.DiskProvisioner} and its neutral value types and
 * errors. One module per cloud implements it; nothing outside those modules sees a cloud SDK.
 * Providers are found by id through {@link java.util.ServiceLoader} and {@link
 * io.pgshuttle.iaas.DiskProvisionerProvider}.
 */
package io.pgshuttle.iaas;
