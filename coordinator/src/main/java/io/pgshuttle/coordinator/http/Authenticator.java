package io.pgshuttle.coordinator.http;

import io.pgshuttle.coordinator.CoordinatorConfig;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Finds the configured {@link ApiToken} a request's {@code Authorization} header presents. Every
 * configured token is compared, each in constant time over SHA-256 digests, so the time taken says
 * nothing about how much of a token was right. Thread-safe.
 */
public final class Authenticator {
  private static final String BEARER = "Bearer ";

  private final List<ApiToken> tokens;
  private final List<byte[]> digests;

  @Inject
  public Authenticator(CoordinatorConfig config) {
    this.tokens = List.copyOf(config.apiTokens());
    this.digests = tokens.stream().map(token -> digest(token.token().reveal())).toList();
  }

  /** Whether any token is configured; with none, every request that needs one is refused. */
  public boolean anyConfigured() {
    return !tokens.isEmpty();
  }

  /**
   * The token that {@code authorization} (the header's value; null when absent) presents.
   *
   * @return empty if the header is absent, not a bearer token, or no configured token matches
   */
  public Optional<ApiToken> authenticate(String authorization) {
    if (authorization == null
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    byte[] presented = digest(authorization.substring(BEARER.length()).strip());
    ApiToken found = null;
    for (int i = 0; i < tokens.size(); i++) {
      // No early exit: each request compares against every token.
      if (MessageDigest.isEqual(presented, digests.get(i)) && found == null) {
        found = tokens.get(i);
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
