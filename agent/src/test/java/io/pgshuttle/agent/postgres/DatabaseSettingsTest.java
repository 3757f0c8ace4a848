package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {
  @Test
  void databaseAndRoleSettingsBecomeAlterStatements() {
    assertThat(DatabaseSettings.alterStatement("shop", null, "statement_timeout=5min"))
        .isEqualTo("ALTER DATABASE \"shop\" SET \"statement_timeout\" TO '5min'");
    assertThat(DatabaseSettings.alterStatement("Stage 1", "app", "work_mem=16MB"))
        .isEqualTo("ALTER ROLE \"app\" IN DATABASE \"Stage 1\" SET \"work_mem\" TO '16MB'");
    assertThat(DatabaseSettings.alterStatement("d", null, "app.note=it's = fine"))
        .isEqualTo("ALTER DATABASE \"d\" SET \"app.note\" TO 'it''s = fine'");
  }

  @Test
  void listSettingsAreSplitIntoOneLiteralPerElement() {
    assertThat(
            DatabaseSettings.alterStatement(
                "shop", null, "search_path=\"$user\", public, \"we ird\", \"quo\"\"te\""))
        .isEqualTo(
            "ALTER DATABASE \"shop\" SET \"search_path\" TO '$user', 'public', 'we ird',"
                + " 'quo\"te'");
    assertThat(DatabaseSettings.alterStatement("shop", null, "search_path="))
        .isEqualTo("ALTER DATABASE \"shop\" SET \"search_path\" TO ''");
  }
}
