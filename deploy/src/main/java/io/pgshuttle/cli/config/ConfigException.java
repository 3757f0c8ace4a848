package io.pgshuttle.cli.config;

/**
 * A configuration file or environment variable that cannot be read: its message names the file, key
 * or variable and says how to write it. It never contains a password.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
