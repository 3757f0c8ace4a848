/**
 * The dead-letter registry: the coordinator records every message of the requests' dead-letter
 * queue in the status store ({@link io.pgshuttle.coordinator.deadletter.DeadLetterConsumer}), and
 * lists, replays and drops them ({@link io.pgshuttle.coordinator.deadletter.DeadLetterRegistry}).
 */
package io.pgshuttle.coordinator.deadletter;
