package io.pgshuttle.agent.steps;

/**
 * A database CUTOVER renames on the target, from its staging name to its final name, and the
 * connection limit it sets in the same transaction.
 *
 * @param connectionLimit the source's limit when renamed to its final name; 0 when renamed back to
 *     a staging name
 */
public record Rename(String from, String to, int connectionLimit) {}
