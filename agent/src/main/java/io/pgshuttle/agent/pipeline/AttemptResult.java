package io.pgshuttle.agent.pipeline;

/**
 * How an attempt ended.
 *
 * @param error why it failed; null when it succeeded
 * @param retryable whether another attempt may succeed; false when it succeeded
 */
public record AttemptResult(boolean succeeded, String error, boolean retryable) {

  public static AttemptResult success() {
    return new AttemptResult(true, null, false);
  }

  public static AttemptResult failure(String error, boolean retryable) {
    return new AttemptResult(false, error, retryable);
  }
}
