package io.pgshuttle.agent.transfer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private byte[] partial = new byte[256];
  private int partialLength;
  private long rows;
  private long sum;

  /** Takes {@code length} bytes of {@code chunk} from {@code offset}. */
  public void update(byte[] chunk, int offset, int length) {
    int end = offset + length;
    int lineStart = offset;
    int newline;
    while ((newline = indexOfNewline(chunk, lineStart, end)) >= 0) {
      if (partialLength == 0) {
        add(chunk, lineStart, newline - lineStart);
      } else {
        append(chunk, lineStart, newline - lineStart);
        add(partial, 0, partialLength);
        partialLength = 0;
      }
      lineStart = newline + 1;
    }
    if (lineStart < end) {
      append(chunk, lineStart, end - lineStart);
    }
  }

  /**
   * The index of the first newline in {@code bytes[from, end)}, or -1. Eight bytes at a time: a
   * byte-by-byte scan took longer than hashing the line, and checksums run over every byte DUMP
   * writes and VERIFY reads back.
   */
  static int indexOfNewline(byte[] bytes, int from, int end) {
    int i = from;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long x = (long) LONGS.get(bytes, i) ^ NEWLINES;
      // The lowest byte of x that is zero sets its high bit here; a higher one may be set falsely.
      long zeros = (x - ONES) & ~x & HIGH_BITS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
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
