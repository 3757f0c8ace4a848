package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartPlannerTest {
  private static final CopyTable SMALL = new CopyTable("public", "small", List.of("id"), 3);
  private static final CopyTable LARGE = new CopyTable("public", "large", List.of("id"), 250);

  @Test
  void cutsALargeTableIntoPageRangesOpenAtBothEndsLargestFirst() {
    List<CopyPart> parts = PartPlanner.plan(List.of(SMALL, LARGE), true, 100);

    assertThat(parts)
        .containsExactly(
            new CopyPart(LARGE, 1, 1, 3, null, 100L),
            new CopyPart(LARGE, 2, 2, 3, 100L, 200L),
            new CopyPart(LARGE, 3, 3, 3, 200L, null),
            new CopyPart(SMALL, 4, 1, 1, null, null));
    assertThat(parts.get(1).copyOut("UTF8"))
        .isEqualTo(
            "COPY (SELECT \"id\" FROM ONLY \"public\".\"large\" WHERE ctid >= '(100,0)'::tid AND"
                + " ctid < '(200,0)'::tid) TO STDOUT WITH (FORMAT text, ENCODING 'UTF8')");
    assertThat(parts.get(3).copyOut("LATIN1"))
        .isEqualTo(
            "COPY \"public\".\"small\" (\"id\") TO STDOUT WITH (FORMAT text, ENCODING 'LATIN1')");
  }

  @Test
  void keepsTablesWholeWhereTheSourceCannotScanRanges() {
    assertThat(PartPlanner.plan(List.of(SMALL, LARGE), false, 100))
        .containsExactly(
            new CopyPart(LARGE, 1, 1, 1, null, null), new CopyPart(SMALL, 2, 1, 1, null, null));
  }

  @Test
  void anEmptyTableIsOneFile() {
    CopyTable empty = new CopyTable("s", "empty", List.of(), 0);

    assertThat(PartPlanner.plan(List.of(empty), true, 100))
        .containsExactly(new CopyPart(empty, 1, 1, 1, null, null));
    assertThat(new CopyPart(empty, 1, 1, 1, null, null).copyOut("UTF8"))
        .isEqualTo("COPY \"s\".\"empty\" TO STDOUT WITH (FORMAT text, ENCODING 'UTF8')");
  }
}
