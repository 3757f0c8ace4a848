/**
 * Request intake: validation, deduplication by requestId and one live migration per instance,
 * whether the request comes by queue (with dead letters for refused requests) or by a direct call.
 */
package io.pgshuttle.coordinator.intake;
