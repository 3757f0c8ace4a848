package io.pgshuttle.coordinator.deadletter;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pgshuttle.coordinator.status.DeadLetter;
import java.util.List;

/**
 * One page of the dead-letter listing; its JSON is {@code {"deadLetters": [...], "next"}}.
 * Immutable.
 *
 * @param next the cursor of the next page ({@code after=}), or null on the last page
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DeadLetterPage(List<DeadLetter> deadLetters, String next) {}
