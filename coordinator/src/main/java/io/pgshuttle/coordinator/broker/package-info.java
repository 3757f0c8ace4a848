/**
 * The coordinator's use of RabbitMQ: its connections, publisher and queue consumers, on top of
 * {@code io.pgshuttle.amqp}.
 */
package io.pgshuttle.coordinator.broker;
