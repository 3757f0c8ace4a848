package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/** The coordinator gave up on a migration: no attempts left, or a failure that is never retried. */
@JsonTypeName("MigrationFailed")
public record MigrationFailed(@JsonProperty(required = true) String error) implements Event {}
