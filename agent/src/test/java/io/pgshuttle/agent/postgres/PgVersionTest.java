package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgVersionTest {
  @Test
  void readsToolVersionLines() {
    assertThat(PgVersion.ofToolOutput("pg_dump (PostgreSQL) 15.8 (Debian 15.8-1.pgdg120+1)"))
        .contains(new PgVersion(150000));
    assertThat(PgVersion.ofToolOutput("pg_dump (PostgreSQL) 9.6.0")).contains(new PgVersion(90600));
    assertThat(PgVersion.ofToolOutput("pg_dump (PostgreSQL) 17devel"))
        .contains(new PgVersion(170000));
    assertThat(PgVersion.ofToolOutput("command not found")).isEmpty();
  }

  @Test
  void readsServerVersionNumbersAndComparesMajors() {
    assertThat(PgVersion.ofServerVersionNum(150008)).isEqualTo(new PgVersion(150000));
    assertThat(PgVersion.ofServerVersionNum(90624)).isEqualTo(new PgVersion(90600));
    assertThat(new PgVersion(90600)).isLessThan(new PgVersion(100000));
    assertThat(new PgVersion(90600)).hasToString("9.6");
    assertThat(new PgVersion(150000)).hasToString("15");
    assertThat(new PgVersion(130000).atLeast(13)).isTrue();
    assertThat(new PgVersion(120000).atLeast(13)).isFalse();
  }
}
