package io.pgshuttle.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.coordinator.CoordinatorConfig;
import io.pgshuttle.messages.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
  private static final ApiToken OPS =
      new ApiToken("ops", Scope.OPERATE, Secret.of("ops-token-0123456789abcdef"));
  private static final ApiToken DASHBOARD =
      new ApiToken("dashboard", Scope.READ, Secret.of("read-token-0123456789abcdef"));

  @Test
  void findsTheTokenABearerHeaderPresents() {
    Authenticator authenticator = new Authenticator(config(List.of(OPS, DASHBOARD)));

    assertThat(authenticator.anyConfigured()).isTrue();
    assertThat(authenticator.authenticate("Bearer ops-token-0123456789abcdef")).contains(OPS);
    assertThat(authenticator.authenticate("bearer read-token-0123456789abcdef"))
        .contains(DASHBOARD);
    assertThat(authenticator.authenticate("Bearer ops-token-0123456789abcdeX")).isEmpty();
    assertThat(authenticator.authenticate("Bearer ops-token")).isEmpty();
    assertThat(authenticator.authenticate("Basic b3BzOnB3")).isEmpty();
    assertThat(authenticator.authenticate("ops-token-0123456789abcdef")).isEmpty();
    assertThat(authenticator.authenticate(null)).isEmpty();
  }

  @Test
  void withNoTokenConfiguredNothingAuthenticates() {
    Authenticator authenticator = new Authenticator(config(List.of()));

    assertThat(authenticator.anyConfigured()).isFalse();
    assertThat(authenticator.authenticate("Bearer ")).isEmpty();
    assertThat(authenticator.authenticate("Bearer anything-at-all-here")).isEmpty();
  }

  @Test
  void operateCoversReadButNotTheOtherWayRound() {
    assertThat(Scope.OPERATE.covers(Scope.READ)).isTrue();
    assertThat(Scope.OPERATE.covers(Scope.OPERATE)).isTrue();
    assertThat(Scope.READ.covers(Scope.READ)).isTrue();
    assertThat(Scope.READ.covers(Scope.OPERATE)).isFalse();
    assertThat(Scope.parse("Operate")).contains(Scope.OPERATE);
    assertThat(Scope.parse("admin")).isEmpty();
  }

  @Test
  void badTokensAreConfigurationProblemsThatNeverShowTheTokens() {
    List<String> problems =
        config(
                List.of(
                    new ApiToken("ops", Scope.OPERATE, Secret.of("short-secret")),
                    new ApiToken("ops", Scope.READ, Secret.of("read-token-0123456789abcdef")),
                    new ApiToken("bad name", Scope.READ, Secret.of("read-token-0123456789abcdef"))))
            .problems();

    assertThat(problems)
        .anyMatch(problem -> problem.contains("API token 'ops' must be at least 16"))
        .anyMatch(problem -> problem.contains("API token name 'ops' is configured twice"))
        .anyMatch(problem -> problem.contains("API token name 'bad name' is invalid"))
        .noneMatch(problem -> problem.contains("short-secret"))
        .noneMatch(problem -> problem.contains("read-token-0123456789abcdef"));
  }

  private static CoordinatorConfig config(List<ApiToken> tokens) {
    return OfflineConfig.withTokens(tokens);
  }
}
