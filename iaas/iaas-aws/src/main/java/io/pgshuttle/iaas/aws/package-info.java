/**
 * The {@code aws} disk provider: auxiliary disks as EBS volumes, through the AWS SDK for Java v2.
 * Nothing of the SDK leaves this package: callers see only the types of {@code io.pgshuttle.iaas}.
 */
package io.pgshuttle.iaas.aws;
