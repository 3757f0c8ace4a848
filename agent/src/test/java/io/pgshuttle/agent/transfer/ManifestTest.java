package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  private static final CopyTable ORDERS = new CopyTable("shop", "Orders", List.of("id", "note"), 9);
  private static final CopyTable TAGS = new CopyTable("shop", "tags", List.of("tag"), 1);

  private static final List<DumpedFile> FILES =
      List.of(
          new DumpedFile(
              new CopyPart(ORDERS, 2, 2, 2, 5L, null), Path.of("d/2.copy"), new Checksum(4, -7)),
          new DumpedFile(
              new CopyPart(TAGS, 3, 1, 1, null, null), Path.of("d/3.copy"), new Checksum(0, 0)),
          new DumpedFile(
              new CopyPart(ORDERS, 1, 1, 2, null, 5L),
              Path.of("d/1.copy"),
              new Checksum(6, Long.MAX_VALUE)));

  @Test
  void listsEachTableWithItsFilesInOrderAndSumsTheirChecksums() {
    Manifest manifest = Manifest.of("UTF8", FILES);

    assertThat(manifest.formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
    assertThat(manifest.tables())
        .containsExactly(
            new Manifest.Table(
                "shop",
                "Orders",
                List.of("id", "note"),
                List.of(
                    new Manifest.File("data/1.copy", null, 5L, 6, Long.MAX_VALUE),
                    new Manifest.File("data/2.copy", 5L, null, 4, -7))),
            new Manifest.Table(
                "shop",
                "tags",
                List.of("tag"),
                List.of(new Manifest.File("data/3.copy", null, null, 0, 0))));
    assertThat(manifest.checksums())
        .containsEntry("\"shop\".\"Orders\"", new Checksum(10, Long.MAX_VALUE - 7))
        .containsEntry("\"shop\".\"tags\"", Checksum.EMPTY)
        .hasSize(2);
  }

  @Test
  void loadScriptCopiesEveryFileIntoItsColumns() {
    assertThat(DumpLayout.loadScript(Manifest.of("LATIN1", FILES)))
        .contains(
            "\\copy \"shop\".\"Orders\" (\"id\", \"note\") FROM 'data/1.copy' WITH (FORMAT text,"
                + " ENCODING 'LATIN1')\n"
                + "\\copy \"shop\".\"Orders\" (\"id\", \"note\") FROM 'data/2.copy' WITH (FORMAT"
                + " text, ENCODING 'LATIN1')\n"
                + "\\copy \"shop\".\"tags\" (\"tag\") FROM 'data/3.copy' WITH (FORMAT text,"
                + " ENCODING 'LATIN1')\n");
  }
}
