package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CopyTableTest {
  @Test
  void patternMatchesHostileNamesLiterally() {
    // Inside double quotes psql patterns take *, ?, . and regular expression characters
    // literally, and "" stands for a quote.
    CopyTable table = new CopyTable("we.ird*", "Ta\"ble?$ [x]|(y)", List.of("a"), 1);

    assertThat(table.dumpPattern()).isEqualTo("\"we.ird*\".\"Ta\"\"ble?$ [x]|(y)\"");
  }

  @Test
  void copyStatementsNameEveryColumnQuoted() {
    CopyTable table = new CopyTable("public", "t", List.of("id", "Mixed \"Case\"", "tab\tcol"), 1);

    assertThat(Copies.copyInStatement(table, "UTF8", true))
        .isEqualTo(
            "COPY \"public\".\"t\" (\"id\", \"Mixed \"\"Case\"\"\", \"tab\tcol\") FROM STDIN"
                + " WITH (FORMAT text, ENCODING 'UTF8', FREEZE)");
    assertThat(Copies.copyInStatement(table, "SQL_ASCII", false))
        .endsWith("FROM STDIN WITH (FORMAT text, ENCODING 'SQL_ASCII')");
  }
}
