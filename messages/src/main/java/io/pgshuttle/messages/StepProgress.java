package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * How far a running step has come. Sent at most once a second per step. Every field but {@code
 * step} may be null where the step cannot tell.
 *
 * @param percent 0 to 100
 * @param detail a short line for a person, such as the table being restored
 */
@JsonTypeName("StepProgress")
public record StepProgress(
    @JsonProperty(required = true) Step step,
    Double percent,
    Long bytesDone,
    Long bytesTotal,
    Integer tablesDone,
    Integer tablesTotal,
    String detail)
    implements Event {}
