package io.pgshuttle.coordinator.status;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The last progress a running step reported. Every field may be null where the step could not tell.
 * Immutable.
 *
 * @param percent 0 to 100
 * @param detail a short line for a person, such as the table being restored
 * @param etaSeconds the agent's estimate of the time left in the step
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StepProgressView(
    Double percent,
    Long bytesDone,
    Long bytesTotal,
    Integer tablesDone,
    Integer tablesTotal,
    String detail,
    Long etaSeconds) {}
