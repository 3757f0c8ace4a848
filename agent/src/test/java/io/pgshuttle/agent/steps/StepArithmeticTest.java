package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.messages.MigrationId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Sizes, names and texts the steps compute. */
class StepArithmeticTest {
  private static final long GIB = 1L << 30;

  @Test
  void diskIsOneAndAHalfTimesTheSourceAndAtLeastTheConfiguredSize() {
    assertThat(ProvisionDiskStep.sizeGiB(10, 0)).isEqualTo(10);
    assertThat(ProvisionDiskStep.sizeGiB(10, 6 * GIB)).isEqualTo(10);
    assertThat(ProvisionDiskStep.sizeGiB(10, 20 * GIB)).isEqualTo(30);
    assertThat(ProvisionDiskStep.sizeGiB(1, 3 * GIB + 1)).isEqualTo(5);
  }

  @Test
  void stagingNamesAreFixedPerMigrationAndIndex() {
    MigrationId id = new MigrationId(UUID.fromString("6ac139f1-06d9-3df0-9052-37105ed1944b"));

    assertThat(PlannedDatabase.stagingName(id, 2)).isEqualTo("pgshuttle_stage_6ac139f106d9_2");
  }

  @Test
  void walDistanceIsComputedFromLsns() {
    FreezeMarker frozen = new FreezeMarker("0/19442E0", 734, Map.of());

    assertThat(frozen.walBytesUntil(new FreezeMarker("0/19442E0", 734, Map.of()))).isZero();
    assertThat(frozen.walBytesUntil(new FreezeMarker("0/1944300", 734, Map.of()))).isEqualTo(0x20);
    assertThat(
            new FreezeMarker("0/FFFFFFFF", 1, Map.of())
                .walBytesUntil(new FreezeMarker("1/0", 1, Map.of())))
        .isEqualTo(1);
  }

  @Test
  void onlyAMigratedDatabaseWhoseTablesWereWrittenBreaksTheFreeze() {
    FreezeMarker frozen =
        new FreezeMarker(
            "0/1000",
            700,
            Map.of("shop", "10 rows written in 2 tables", "Ü db", "0 rows written in 1 tables"));
    FreezeMarker backgroundOnly = new FreezeMarker("0/2000", 711, frozen.userTableWrites());
    FreezeMarker written =
        new FreezeMarker(
            "0/2000",
            701,
            Map.of("shop", "11 rows written in 2 tables", "Ü db", "0 rows written in 2 tables"));

    assertThat(frozen.databasesWrittenBefore(backgroundOnly)).isEmpty();
    assertThat(frozen.databasesWrittenBefore(written)).containsExactly("shop", "Ü db");
  }

  @Test
  void verificationSummarySaysWhatWasComparedForAPerson() {
    assertThat(new VerificationSummary(3, 12, 1_000_512, 4, 20, true, 11, 1536).text())
        .isEqualTo(
            "3 databases, 12 tables, 1,000,512 rows, 4 sequences, 20 large objects equal (row"
                + " counts and checksums, object inventory, extensions, roles); no write to the"
                + " migrated databases since the freeze (11 transactions elsewhere on the source,"
                + " WAL +1.5 kB)");
    assertThat(new VerificationSummary(1, 1, 1, 1, 0, false, 0, 0).text())
        .startsWith("1 database, 1 table, 1 row, 1 sequence, 0 large objects equal (row counts,");
  }

  @Test
  void textsCountSizesAndQuoteNames() {
    assertThat(Texts.count(1, "session")).isEqualTo("1 session");
    assertThat(Texts.count(1234567, "row")).isEqualTo("1,234,567 rows");
    assertThat(Texts.bytes(512)).isEqualTo("512 bytes");
    assertThat(Texts.bytes(3 * GIB / 2)).isEqualTo("1.5 GB");
    assertThat(Texts.quotedList(List.of("a", "B c"))).isEqualTo("\"a\", \"B c\"");
  }
}
