package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/** A step failed; the attempt now rolls back. */
@JsonTypeName("StepFailed")
public record StepFailed(
    @JsonProperty(required = true) Step step,
    @JsonProperty(required = true) String error,
    @JsonProperty(required = true) boolean retryable)
    implements Event {}
