package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * How far a running step has come. Sent at most once a second per step. Every field but {@code
 * step} may be null where the step cannot tell.
 *
 * @param percent 0 to 100
 * @param detail a short line for a person, such as the table being restored
 * @param etaSeconds the estimated time left in the step, from its rate so far; null while unknown
 */
@JsonTypeName("StepProgress")
public record StepProgress(
    @JsonProperty(required = true) Step step,
    Double percent,
    Long bytesDone,
    Long bytesTotal,
    Integer tablesDone,
    Integer tablesTotal,
    String detail,
    Long etaSeconds)
    implements Event {

  /** Progress with no estimate of the time left, as a step reports it. */
  public StepProgress(
      Step step,
      Double percent,
      Long bytesDone,
      Long bytesTotal,
      Integer tablesDone,
      Integer tablesTotal,
      String detail) {
    this(step, percent, bytesDone, bytesTotal, tablesDone, tablesTotal, detail, null);
  }

  /** This progress with {@code etaSeconds} as its estimate of the time left. */
  public StepProgress withEtaSeconds(Long etaSeconds) {
    return new StepProgress(
        step, percent, bytesDone, bytesTotal, tablesDone, tablesTotal, detail, etaSeconds);
  }
}
