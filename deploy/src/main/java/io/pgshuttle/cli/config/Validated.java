package io.pgshuttle.cli.config;

import java.util.List;

/**
 * A daemon's configuration with what is wrong with it.
 *
 * @param problems each a sentence naming the setting to fix; empty when the daemon may start
 */
public record Validated<C>(C config, List<String> problems) {
  public Validated {
    problems = List.copyOf(problems);
  }
}
