package io.pgshuttle.cli;

import io.pgshuttle.cli.config.ConfigException;
import io.pgshuttle.cli.config.ConfigFile;
import io.pgshuttle.cli.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option of the daemons and the client commands. */
final class ConfigFileOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "YAML configuration file; PGSHUTTLE_* environment variables override its values.")
  Path file;

  /**
   * The file's settings, or none when no file was named.
   *
   * @throws ConfigException if the file cannot be read or holds unknown keys or bad values
   */
  ConfigFile read(ConfigLoader loader) {
    if (file == null) {
      return ConfigFile.empty();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e, e);
    }
    return loader.parse(text, file.toString());
  }
}
