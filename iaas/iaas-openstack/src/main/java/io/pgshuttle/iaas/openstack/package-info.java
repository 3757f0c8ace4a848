/**
 * The {@code openstack} disk provider: Cinder volumes attached to this Nova server through
 * openstack4j, with Keystone v3 credentials from the standard {@code OS_*} environment variables.
 * No openstack4j type leaves this package.
 */
package io.pgshuttle.iaas.openstack;
