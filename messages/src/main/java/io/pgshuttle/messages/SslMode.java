package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonValue;

/** libpq's {@code sslmode} for the connection to the target server. */
public enum SslMode {
  DISABLE("disable"),
  ALLOW("allow"),
  PREFER("prefer"),
  REQUIRE("require"),
  VERIFY_CA("verify-ca"),
  VERIFY_FULL("verify-full");

  private final String libpqName;

  SslMode(String libpqName) {
    this.libpqName = libpqName;
  }

  /** The name libpq and pgjdbc use, such as {@code verify-full}. */
  @JsonValue
  public String libpqName() {
    return libpqName;
  }
}
