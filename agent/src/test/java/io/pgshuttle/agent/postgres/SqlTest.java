package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlTest {
  @Test
  void identifiersAreAlwaysQuotedWithInnerQuotesDoubled() {
    assertThat(Sql.identifier("shop")).isEqualTo("\"shop\"");
    assertThat(Sql.identifier("Mixed Case")).isEqualTo("\"Mixed Case\"");
    assertThat(Sql.identifier("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(Sql.identifier("Ünïcode Db")).isEqualTo("\"Ünïcode Db\"");
    assertThat(Sql.identifier("select")).isEqualTo("\"select\"");
    assertThat(Sql.qualified("Ärger", "t")).isEqualTo("\"Ärger\".\"t\"");
  }

  @Test
  void identifiersCannotBeEmptyOrHoldNul() {
    assertThatThrownBy(() -> Sql.identifier("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sql.identifier("a\0b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void literalsDoubleQuotesAndEscapeBackslashes() {
    assertThat(Sql.literal("C.UTF-8")).isEqualTo("'C.UTF-8'");
    assertThat(Sql.literal("it's")).isEqualTo("'it''s'");
    assertThat(Sql.literal("a\\b'c")).isEqualTo("E'a\\\\b''c'");
    assertThatThrownBy(() -> Sql.literal("\0")).isInstanceOf(IllegalArgumentException.class);
  }
}
