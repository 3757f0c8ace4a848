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
  /** The longest wait for one cloud operation; every provider reads it. */
  public static final String OPERATION_TIMEOUT = "operationTimeout";

  /** How often a provider asks whether an operation has finished; every provider reads it. */
  public static final String POLL_INTERVAL = "pollInterval";

  static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofMinutes(10);
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

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
   * A positive duration in ISO-8601 ({@code PT5M}) or as seconds ({@code 300}), or {@code
   * fallback}.
   *
   * @throws PermanentIaasException if it is neither, or zero or negative
   */
  public Duration duration(String key, Duration fallback) {
    Optional<String> value = optional(key);
    if (value.isEmpty()) {
      return fallback;
    }
    Duration duration;
    try {
      duration =
          value.get().matches("\\d+")
              ? Duration.ofSeconds(Long.parseLong(value.get()))
              : Duration.parse(value.get());
    } catch (DateTimeParseException e) {
      throw invalid(key, value.get(), "a duration such as PT5M or 300 (seconds)");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw invalid(key, value.get(), "a positive duration");
    }
    return duration;
  }

  /** {@link #OPERATION_TIMEOUT}, ten minutes by default. */
  public Duration operationTimeout() {
    return duration(OPERATION_TIMEOUT, DEFAULT_OPERATION_TIMEOUT);
  }

  /** {@link #POLL_INTERVAL}, two seconds by default. */
  public Duration pollInterval() {
    return duration(POLL_INTERVAL, DEFAULT_POLL_INTERVAL);
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
