/**
 * The {@code alibaba} disk provider: auxiliary disks as Alibaba Cloud ECS cloud disks, through
 * Alibaba Cloud's ECS SDK. No SDK type leaves this package; the SDK's errors become {@link
 * io.pgshuttle.iaas.IaasException}s here.
 */
package io.pgshuttle.iaas.alibaba;
