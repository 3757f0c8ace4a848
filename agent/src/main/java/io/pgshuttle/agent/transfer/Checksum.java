package io.pgshuttle.agent.transfer;

/**
 * The rows of a COPY text stream and the sum, modulo 2<sup>64</sup>, of a 64-bit hash of each line:
 * independent of row order, so a table's checksum is the sum of its files' and the target's read of
 * the whole table matches the source's read in ranges. Immutable.
 *
 * @param rows lines counted
 * @param sum the sum of their hashes, wrapping
 */
public record Checksum(long rows, long sum) {
  public static final Checksum EMPTY = new Checksum(0, 0);

  /** This and {@code other} together. */
  public Checksum plus(Checksum other) {
    return new Checksum(rows + other.rows, sum + other.sum);
  }
}
