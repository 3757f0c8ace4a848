package io.pgshuttle.agent.steps;

/** A database CUTOVER renames on the target, from its staging name to its final name. */
public record Rename(String from, String to) {}
