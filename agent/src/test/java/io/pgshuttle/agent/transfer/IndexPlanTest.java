package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The index builds found in a {@code pg_restore --list} of a real PostgreSQL 15 dump (hostile
 * names, a partitioned table, a foreign key, an exclusion constraint), and the list left for the
 * final pass.
 */
class IndexPlanTest {
  private static final long PG_CLASS = 1259;
  private static final long PG_CONSTRAINT = 2606;
  private static final String HOSTILE = "\"s p.q\".\"t \"\"1\"\". x\"";

  private static final String LISTING =
      """
      ;
      ; Archive created at 2026-11-26 22:30:00 UTC
      ;     dbname: postgres
      ;
      ; Selected TOC Entries:
      ;
      6; 2615 16395 SCHEMA - s p.q postgres
      215; 1259 16384 TABLE public a postgres
      218; 1259 16414 TABLE public p1 postgres
      216; 1259 16396 TABLE s p.q t "1". x postgres
      3221; 0 0 TABLE ATTACH public p1 postgres
      3226; 2606 16390 CONSTRAINT public a a_pkey postgres
      3228; 2606 16392 CONSTRAINT public a a_v_key postgres
      3224; 2606 16434 CHECK CONSTRAINT public a a_w_check postgres
      3236; 2606 16413 CONSTRAINT public p p_pkey postgres
      3240; 2606 16418 CONSTRAINT public p1 p1_pkey postgres
      3233; 2606 16402 CONSTRAINT s p.q t "1". x t "1". x_r_excl postgres
      3229; 1259 16393 INDEX public a_w postgres
      3234; 1259 16424 INDEX public p_k postgres
      3237; 1259 16425 INDEX public p1_k_idx postgres
      3230; 1259 16394 INDEX public we.ird "x" i postgres
      3231; 1259 16408 INDEX s p.q t "1". x_a_id_idx postgres
      3249; 0 0 INDEX ATTACH public p1_k_idx postgres
      3250; 0 0 INDEX ATTACH public p1_pkey postgres
      3255; 2606 16403 FK CONSTRAINT s p.q t "1". x t "1". x_a_id_fkey postgres
      3260; 0 0 COMMENT public INDEX a_w postgres
      """;

  /** What DUMP reads from the source for the copied tables a, p1 and the hostile one. */
  private static final List<TableIndex> INDEXES =
      List.of(
          new TableIndex(PG_CLASS, 16389, "\"public\".\"a\"", "a_pkey", false),
          new TableIndex(PG_CLASS, 16393, "\"public\".\"a\"", "a_w", false),
          new TableIndex(PG_CLASS, 16394, "\"public\".\"a\"", "we.ird \"x\" i", false),
          new TableIndex(PG_CONSTRAINT, 16390, "\"public\".\"a\"", "a_pkey", true),
          new TableIndex(PG_CONSTRAINT, 16392, "\"public\".\"a\"", "a_v_key", true),
          new TableIndex(PG_CLASS, 16425, "\"public\".\"p1\"", "p1_k_idx", false),
          new TableIndex(PG_CONSTRAINT, 16418, "\"public\".\"p1\"", "p1_pkey", true),
          new TableIndex(PG_CLASS, 16408, HOSTILE, "t \"1\". x_a_id_idx", false),
          new TableIndex(PG_CONSTRAINT, 16402, HOSTILE, "t \"1\". x_r_excl", true));

  @Test
  void findsEachCopiedTablesIndexesByOidPlainIndexesFirst() {
    IndexPlan plan = IndexPlan.of(LISTING, INDEXES);

    assertThat(plan.builds("\"public\".\"a\""))
        .extracting(IndexPlan.Build::dumpId)
        .containsExactly(3229, 3230, 3226, 3228);
    assertThat(plan.builds("\"public\".\"p1\""))
        .extracting(IndexPlan.Build::dumpId)
        .containsExactly(3237, 3240);
    assertThat(plan.builds(HOSTILE))
        .extracting(IndexPlan.Build::dumpId, build -> build.index().name())
        .containsExactly(tuple(3231, "t \"1\". x_a_id_idx"), tuple(3233, "t \"1\". x_r_excl"));
    assertThat(plan.builds(HOSTILE).get(0).line())
        .isEqualTo("3231; 1259 16408 INDEX s p.q t \"1\". x_a_id_idx postgres");
    // A table without indexes, or one not copied (the partitioned parent p).
    assertThat(plan.builds("\"public\".\"p\"")).isEmpty();
  }

  @Test
  void leavesEverythingElseAndWhatWasNotBuiltToTheFinalList() {
    IndexPlan plan = IndexPlan.of(LISTING, INDEXES);

    String rest = plan.rest(Set.of(3226, 3229, 3231));

    assertThat(rest.lines())
        .hasSameSizeAs(LISTING.lines().toList())
        .contains(
            ";3226; 2606 16390 CONSTRAINT public a a_pkey postgres",
            ";3229; 1259 16393 INDEX public a_w postgres",
            ";3231; 1259 16408 INDEX s p.q t \"1\". x_a_id_idx postgres",
            "3228; 2606 16392 CONSTRAINT public a a_v_key postgres",
            "3234; 1259 16424 INDEX public p_k postgres",
            "3249; 0 0 INDEX ATTACH public p1_k_idx postgres",
            "3255; 2606 16403 FK CONSTRAINT s p.q t \"1\". x t \"1\". x_a_id_fkey postgres",
            "3260; 0 0 COMMENT public INDEX a_w postgres",
            "; Selected TOC Entries:");
    assertThat(rest.lines().filter(line -> line.matches("^;\\d+;.*"))).hasSize(3);
  }

  @Test
  void takesAnEntryOnlyWhenItsTypeIsTheOneTheCatalogSays() {
    // The catalog says 16393 is an index; an entry of another type with that oid is not built.
    IndexPlan plan =
        IndexPlan.of(
            "3229; 1259 16393 STATISTICS DATA public a_w postgres\n"
                + "3290; 2606 16390 FK CONSTRAINT public a a_pkey postgres\n",
            INDEXES);

    assertThat(plan.builds("\"public\".\"a\"")).isEmpty();
  }
}
