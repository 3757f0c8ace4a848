package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.postgres.DatabaseFingerprint.LargeObjects;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.SchemaInventory;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.SequenceState;
import io.pgshuttle.agent.postgres.DatabaseFingerprint.TableData;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DatabaseFingerprintTest {
  private static DatabaseFingerprint fingerprint(
      Map<String, TableData> tables,
      Map<String, SequenceState> sequences,
      LargeObjects largeObjects,
      Map<String, SchemaInventory> schemas,
      Map<String, String> extensions) {
    return new DatabaseFingerprint(
        new TreeMap<>(tables),
        new TreeMap<>(sequences),
        largeObjects,
        new TreeMap<>(schemas),
        new TreeMap<>(extensions));
  }

  private static final SchemaInventory PUBLIC = new SchemaInventory(2, 1, 1, 3, 4, 5, 1);

  private static final DatabaseFingerprint SOURCE =
      fingerprint(
          Map.of(
              "public.\"Orders\"", new TableData(10, BigDecimal.valueOf(123)),
              "public.t", new TableData(5, BigDecimal.ONE)),
          Map.of("public.s", new SequenceState(42, true)),
          new LargeObjects(3, BigDecimal.TEN),
          Map.of("\"public\"", PUBLIC),
          Map.of("pgcrypto", "1.3"));

  @Test
  void equalFingerprintsHaveNoDifferences() {
    assertThat(SOURCE.differencesFrom(SOURCE)).isEmpty();
    assertThat(SOURCE.totalRows()).isEqualTo(15);
  }

  @Test
  void differencesNameTheObjectAndBothValues() {
    DatabaseFingerprint target =
        fingerprint(
            Map.of(
                "public.\"Orders\"", new TableData(9, BigDecimal.valueOf(123)),
                "public.t", new TableData(5, BigDecimal.ZERO),
                "public.extra", new TableData(0, BigDecimal.ZERO)),
            Map.of("public.s", new SequenceState(1, false)),
            new LargeObjects(2, BigDecimal.TEN),
            Map.of("\"public\"", new SchemaInventory(2, 0, 1, 3, 4, 5, 1)),
            Map.of());

    assertThat(SOURCE.differencesFrom(target))
        .containsExactly(
            "table public.\"Orders\": 10 rows on the source, 9 on the target",
            "table public.extra is only on the target",
            "table public.t: same row count, different row contents",
            "sequence public.s: 42 (called) on the source, 1 (not called) on the target",
            "large objects: 3 on the source, 2 on the target",
            "schema \"public\": 1 views on the source, 0 on the target",
            "extension pgcrypto is missing on the target");
  }
}
