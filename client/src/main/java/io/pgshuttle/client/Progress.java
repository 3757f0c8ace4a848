package io.pgshuttle.client;

/**
 * The last progress a running step reported. Immutable. Every field is null where the step could
 * not tell (and {@code etaSeconds} where the coordinator does not send it).
 *
 * @param percent 0 to 100
 * @param etaSeconds the estimated time left
 * @param detail a short line for a person, such as the table being restored
 */
public record Progress(
    Double percent,
    Long bytesDone,
    Long bytesTotal,
    Integer tablesDone,
    Integer tablesTotal,
    Long etaSeconds,
    String detail) {}
