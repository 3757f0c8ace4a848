package io.pgshuttle.iaas;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a provider's settings ({@code agent.iaasSettings} in the agent's YAML) with errors that
 * name the key to fix. Immutable and thread-safe.
 */
public final class ProviderSettings {
  private final String providerId;
  private final Map<String, String> settings;

  public ProviderSettings(String providerId, Map<String, String> settings) {
    this.providerId = providerId;
    this.settings = Map.copyOf(settings);
  }

  /**
   * The value of {@code key}.
   *
   * @param meaning what the setting is, for the error message, e.g. "the availability zone"
   * @throws PermanentIaasException if it is missing or blank, naming it
   */
  public String required(String key, String meaning) {
    return optional(key)
        .orElseThrow(
            () ->
                new PermanentIaasException(
                    "the "
                        + providerId
                        + " disk provider needs "
                        + meaning
                        + ": set agent.iaasSettings."
                        + key));
  }

  /** The value of {@code key}, empty when missing or blank. */
  public Optional<String> optional(String key) {
    String value = settings.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /** The value of {@code key}, or {@code fallback}. */
  public String optional(String key, String fallback) {
    return optional(key).orElse(fallback);
  }

  /**
   * A whole number, or {@code fallback}.
   *
   * @throws PermanentIaasException if it is not a whole number
   */
  public int integer(String key, int fallback) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw invalid(key, value.get(), "a whole number");
    }
  }

  /**
   * A duration in ISO-8601 ({@code PT5M}) or as seconds ({@code 300}), or {@code fallback}.
   *
   * @throws PermanentIaasException if it is neither
   */
  public Duration duration(String key, Duration fallback) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return value.get().matches("\\d+")
          ? Duration.ofSeconds(Long.parseLong(value.get()))
          : Duration.parse(value.get());
    } catch (DateTimeParseException e) {
      throw invalid(key, value.get(), "a duration such as PT5M or 300 (seconds)");
    }
  }

  private PermanentIaasException invalid(String key, String value, String expected) {
    return new PermanentIaasException(
        "agent.iaasSettings."
            + key
            + " of the "
            + providerId
            + " disk provider must be "
            + expected
            + ", not '"
            + value
            + "'");
  }
}
