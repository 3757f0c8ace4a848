package io.pgshuttle.agent.transfer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Plans the files of a database's dump: largest table first, each table larger than {@code
 * pagesPerPart} cut into page ranges of about that size when the source can scan ranges, so that
 * the workers share a large table and RESTORE starts loading it before it is all on the disk.
 * Stateless.
 */
public final class PartPlanner {
  /** 64 MiB of 8 KiB pages: at scale 100 pgbench's accounts become 20 parts, at scale 10 two. */
  public static final long PAGES_PER_PART = 8192;

  private PartPlanner() {}

  /** The parts, numbered from 1 in the order they should be copied. */
  public static List<CopyPart> plan(
      List<CopyTable> tables, boolean splitRanges, long pagesPerPart) {
    List<CopyTable> largestFirst = new ArrayList<>(tables);
    largestFirst.sort(
        Comparator.comparingLong(CopyTable::pages).reversed().thenComparing(CopyTable::qualified));
    List<CopyPart> parts = new ArrayList<>();
    for (CopyTable table : largestFirst) {
      int count =
          splitRanges ? (int) Math.max(1, (table.pages() + pagesPerPart - 1) / pagesPerPart) : 1;
      for (int part = 1; part <= count; part++) {
        Long from = part == 1 ? null : (part - 1) * pagesPerPart;
        Long to = part == count ? null : part * pagesPerPart;
        parts.add(new CopyPart(table, parts.size() + 1, part, count, from, to));
      }
    }
    return parts;
  }
}
