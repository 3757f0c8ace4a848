package io.pgshuttle.agent.transfer;

import java.util.Arrays;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Computes a {@link Checksum} of COPY text as it streams, in chunks cut anywhere: each line (the
 * bytes before a newline, which text COPY never leaves unescaped inside a row) is hashed with
 * XXHash64, seed 0. A line cut by a chunk boundary is kept until its end arrives. Not thread-safe:
 * one per stream.
 */
public final class LineChecksum {
  private static final XXHash64 HASH = XXHashFactory.fastestJavaInstance().hash64();

  private byte[] partial = new byte[256];
  private int partialLength;
  private long rows;
  private long sum;

  /** Takes {@code length} bytes of {@code chunk} from {@code offset}. */
  public void update(byte[] chunk, int offset, int length) {
    int end = offset + length;
    int lineStart = offset;
    for (int i = offset; i < end; i++) {
      if (chunk[i] != '\n') {
        continue;
      }
      if (partialLength == 0) {
        add(chunk, lineStart, i - lineStart);
      } else {
        append(chunk, lineStart, i - lineStart);
        add(partial, 0, partialLength);
        partialLength = 0;
      }
      lineStart = i + 1;
    }
    if (lineStart < end) {
      append(chunk, lineStart, end - lineStart);
    }
  }

  /**
   * The checksum of the lines so far.
   *
   * @throws IllegalStateException if the stream ended inside a line: COPY text ends every row
   */
  public Checksum result() {
    if (partialLength != 0) {
      throw new IllegalStateException(
          "the COPY stream ended inside a row ("
              + partialLength
              + " bytes after the last newline)");
    }
    return new Checksum(rows, sum);
  }

  private void add(byte[] bytes, int offset, int length) {
    rows++;
    sum += HASH.hash(bytes, offset, length, 0);
  }

  private void append(byte[] bytes, int offset, int length) {
    if (partialLength + length > partial.length) {
      partial = Arrays.copyOf(partial, Math.max(2 * partial.length, partialLength + length));
    }
    System.arraycopy(bytes, offset, partial, partialLength, length);
    partialLength += length;
  }
}
