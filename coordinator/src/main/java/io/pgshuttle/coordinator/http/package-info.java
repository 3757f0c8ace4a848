/** The coordinator's HTTP endpoints: health and the status view of migrations. */
package io.pgshuttle.coordinator.http;
