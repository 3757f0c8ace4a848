package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonValue;

/** How much VERIFY compares between source and target. */
public enum VerifyLevel {
  /** Row counts, object inventory, sequences, large object counts. */
  COUNTS("counts"),
  /**
   * Everything in {@link #COUNTS} plus an order-independent checksum of every row and large object.
   */
  FULL("full");

  private final String wireName;

  VerifyLevel(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }
}
