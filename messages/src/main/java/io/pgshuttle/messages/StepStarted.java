package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/** A step of an attempt began. */
@JsonTypeName("StepStarted")
public record StepStarted(@JsonProperty(required = true) Step step) implements Event {}
