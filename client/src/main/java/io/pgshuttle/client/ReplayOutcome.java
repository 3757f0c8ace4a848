package io.pgshuttle.client;

/** What the replay of one dead letter did. */
public enum ReplayOutcome {
  /** The request was valid this time and is now a migration. */
  REPLAYED,
  /** A migration with its requestId existed already; nothing changed. */
  ALREADY_ACCEPTED,
  /** The request is still invalid; it stays a dead letter. */
  INVALID
}
