/**
 * pgshuttle's use of RabbitMQ: opening connections that recover, consuming queues for as long as a
 * consumer is open, declaring the {@link io.pgshuttle.messages.Topology}, and publishing envelopes
 * with publisher confirms. Shared by the coordinator, the agent and the CLI so that each talks to
 * the broker the same way.
 */
package io.pgshuttle.amqp;
