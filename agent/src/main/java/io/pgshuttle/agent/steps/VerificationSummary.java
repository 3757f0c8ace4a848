package io.pgshuttle.agent.steps;

/**
 * What VERIFY compared and found equal, as one line for a person, such as {@code 2 databases, 12
 * tables, 1,000,512 rows, 4 sequences, 20 large objects equal (row counts and checksums, object
 * inventory, extensions, roles); no transaction on the source since the freeze (WAL +1.2 kB)}.
 *
 * @param checksums whether rows and large objects were compared by checksum, not only counted
 * @param walBytes how far the source's WAL moved since the freeze (without a transaction)
 */
public record VerificationSummary(
    int databases,
    int tables,
    long rows,
    int sequences,
    long largeObjects,
    boolean checksums,
    long transactionsElsewhere,
    long walBytes) {

  public String text() {
    return Texts.count(databases, "database")
        + ", "
        + Texts.count(tables, "table")
        + ", "
        + Texts.count(rows, "row")
        + ", "
        + Texts.count(sequences, "sequence")
        + ", "
        + Texts.count(largeObjects, "large object")
        + " equal ("
        + (checksums ? "row counts and checksums" : "row counts")
        + ", object inventory, extensions, roles); no write to the migrated databases since the"
        + " freeze ("
        + Texts.count(transactionsElsewhere, "transaction")
        + " elsewhere on the source, WAL +"
        + Texts.bytes(walBytes)
        + ")";
  }
}
