/** The coordinator's HTTP endpoints: health, the status view of migrations, and cancel. */
package io.pgshuttle.coordinator.http;
