/**
 * The {@code local} disk provider: each disk is a directory under a configured root, with the same
 * create / attach / detach / delete / list-by-tag life cycle and idempotence as a cloud disk. Used
 * on machines without a cloud, in tests, and by the demo.
 */
package io.pgshuttle.iaas.local;
