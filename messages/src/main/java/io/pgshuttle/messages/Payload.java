package io.pgshuttle.messages;

/**
 * What an {@link Envelope} carries. Each implementation names itself on the wire with {@link
 * com.fasterxml.jackson.annotation.JsonTypeName}; {@link MessageCodec} knows the names and
 * versions.
 */
public sealed interface Payload permits MigrationRequest, Command, Event {}
