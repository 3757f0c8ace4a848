package io.pgshuttle.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoredTextTest {

  @Test
  void dropsNulCharactersThatPostgresqlTextCannotHold() {
    assertThat(StoredText.clean("pg_restore: \0error")).isEqualTo("pg_restore: error");
  }

  @Test
  void cutsLongTextAndKeepsShortTextAndNull() {
    assertThat(StoredText.clean("y".repeat(StoredText.MAX_LENGTH + 5)))
        .hasSize(StoredText.MAX_LENGTH)
        .endsWith("…");
    assertThat(StoredText.clean("short")).isEqualTo("short");
    assertThat(StoredText.clean(null)).isNull();
  }
}
