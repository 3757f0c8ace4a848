package io.pgshuttle.cli;

/**
 * Ends a command with a message for the operator and an exit code from {@link ExitCodes}. The
 * message says what to fix and never contains a password.
 */
public final class CliException extends RuntimeException {
  private final int exitCode;

  private CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Input the operator must correct; exit code {@link ExitCodes#USAGE}. */
  public static CliException badInput(String message) {
    return new CliException(message, ExitCodes.USAGE, null);
  }

  /** A server that cannot be reached; exit code {@link ExitCodes#UNREACHABLE}. */
  public static CliException unreachable(String message, Throwable cause) {
    return new CliException(message, ExitCodes.UNREACHABLE, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
