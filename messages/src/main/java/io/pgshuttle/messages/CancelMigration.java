package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/** Tells an agent to stop a migration and roll back. Sent on the control binding. */
@JsonTypeName("CancelMigration")
public record CancelMigration(@JsonProperty(required = true) String instanceId, String reason)
    implements Command {}
