package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * A step finished.
 *
 * @param summary a line for a person (VERIFY's says what it compared); may be null
 */
@JsonTypeName("StepSucceeded")
public record StepSucceeded(
    @JsonProperty(required = true) Step step,
    @JsonProperty(required = true) long durationMillis,
    String summary)
    implements Event {}
