package io.pgshuttle.cli;

import io.pgshuttle.messages.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a password from a file named by an option, so that it is never a process argument. */
final class PasswordFiles {
  private PasswordFiles() {}

  /**
   * The file's text without its final line break.
   *
   * @param option the option that named the file, for the message
   * @throws CliException if the file is missing, unreadable or empty; the message holds no content
   */
  static Secret read(Path file, String option) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliException.badInput(option + " " + file + " does not exist");
    } catch (IOException e) {
      throw CliException.badInput(
          "cannot read " + option + " " + file + ": " + e.getClass().getSimpleName());
    }
    String password = text.replaceFirst("\r?\n\\z", "");
    if (password.isEmpty()) {
      throw CliException.badInput(option + " " + file + " is empty");
    }
    return Secret.of(password);
  }
}
