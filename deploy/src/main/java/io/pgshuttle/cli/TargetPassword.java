package io.pgshuttle.cli;

import io.pgshuttle.messages.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the commands that send a target password take it from: {@code --target-password-file}, else
 * {@value #VARIABLE}; never the command line, which every user of the machine can read. Stateless.
 */
final class TargetPassword {
  static final String VARIABLE = "PGSHUTTLE_TARGET_PASSWORD";

  /** Why {@code --target-password} is refused, naming what to use instead. */
  static final String REFUSED =
      "--target-password is refused: a command line is visible to every user of the machine; set "
          + VARIABLE
          + " or use --target-password-file";

  @Option(
      names = "--target-password-file",
      paramLabel = "FILE",
      description = "A file holding the target password (one line). Overrides " + VARIABLE + ".")
  Path file;

  /** Only to refuse it with a helpful message instead of "unknown option". */
  @Option(names = "--target-password", hidden = true, paramLabel = "REFUSED")
  String refused;

  /** Whether the password was given on the command line, which is refused. */
  boolean onCommandLine() {
    return refused != null;
  }

  /**
   * From {@code --target-password-file}, else the environment; null when neither gives one.
   *
   * @throws CliException exit code 2 if the file is missing, unreadable or empty
   */
  Secret read(Map<String, String> environment) {
    if (file != null) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw CliException.badInput("--target-password-file " + file + " does not exist");
      } catch (IOException e) {
        throw CliException.badInput(
            "cannot read --target-password-file " + file + ": " + e.getClass().getSimpleName());
      }
      String password = text.replaceFirst("\r?\n\\z", "");
      if (password.isEmpty()) {
        throw CliException.badInput("--target-password-file " + file + " is empty");
      }
      return Secret.of(password);
    }
    String fromEnvironment = environment.get(VARIABLE);
    return fromEnvironment == null || fromEnvironment.isEmpty() ? null : Secret.of(fromEnvironment);
  }
}
