package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetUrlTest {
  @Test
  void readsUserHostAndPort() {
    assertThat(TargetUrl.parse("postgresql://admin@db.example:6432"))
        .isEqualTo(new TargetUrl("admin", "db.example", 6432));
    assertThat(TargetUrl.parse("postgres://admin@10.0.0.5"))
        .isEqualTo(new TargetUrl("admin", "10.0.0.5", 5432));
    assertThat(TargetUrl.parse("postgresql://admin@db/"))
        .isEqualTo(new TargetUrl("admin", "db", 5432));
  }

  @Test
  void decodesTheUserAndUnwrapsIpv6Hosts() {
    assertThat(TargetUrl.parse("postgresql://migr%40tor@[::1]:5433"))
        .isEqualTo(new TargetUrl("migr@tor", "::1", 5433));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgresql://admin:s3cret@db:5432",
        "postgresql://admin:s3cret@db",
        "postgresql://admin:s3/cr@t@db:5432",
        "postgresql://admin:@db:5432",
      })
  void refusesAPasswordWithoutRepeatingIt(String url) {
    assertThatThrownBy(() -> TargetUrl.parse(url))
        .hasMessageContaining("holds a password")
        .hasMessageContaining("PGSHUTTLE_TARGET_PASSWORD")
        .hasMessageNotContaining("s3");
  }

  @Test
  void saysWhatIsMissingOrSuperfluous() {
    assertThatThrownBy(() -> TargetUrl.parse("db.example:5432"))
        .hasMessageContaining("postgresql://USER@HOST:PORT");
    assertThatThrownBy(() -> TargetUrl.parse("postgresql://db.example:5432"))
        .hasMessageContaining("names no user");
    assertThatThrownBy(() -> TargetUrl.parse("postgresql://admin@db:5432/shop"))
        .hasMessageContaining("--database");
    assertThatThrownBy(() -> TargetUrl.parse("postgresql://admin@db:5432?sslmode=require"))
        .hasMessageContaining("--sslmode");
    assertThatThrownBy(() -> TargetUrl.parse("postgresql://admin@db host:5432"))
        .hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> TargetUrl.parse("postgresql://admin@:5432"))
        .hasMessageContaining("names no valid host");
  }
}
