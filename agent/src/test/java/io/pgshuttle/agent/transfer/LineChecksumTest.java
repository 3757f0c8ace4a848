package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jpountz.xxhash.XXHashFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LineChecksumTest {
  private static final String TEXT =
      "1\tAlice\t\\N\n2\ttab\\there\t\\\\x00ff\n3\tline\\nbreak\t{1,2}\n\n4\tlast\t\\N\n";

  @Test
  void countsLinesAndSumsTheHashOfEachWithoutItsNewline() {
    Checksum checksum = checksum(List.of(TEXT));

    // Every line, the empty one (a row of a table without columns) too.
    long expected = 0;
    String[] lines = TEXT.substring(0, TEXT.length() - 1).split("\n", -1);
    for (String line : lines) {
      byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
      expected += XXHashFactory.safeInstance().hash64().hash(bytes, 0, bytes.length, 0);
    }
    assertThat(checksum).isEqualTo(new Checksum(5, expected));
  }

  @Property
  void isTheSameWhereverTheChunksAreCut(@ForAll @IntRange(min = 1, max = 40) int chunk) {
    byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
    LineChecksum cut = new LineChecksum();
    for (int offset = 0; offset < bytes.length; offset += chunk) {
      cut.update(bytes, offset, Math.min(chunk, bytes.length - offset));
    }

    assertThat(cut.result()).isEqualTo(checksum(List.of(TEXT)));
  }

  @Property(tries = 2000)
  void findsTheFirstNewlineAsAByteByByteScanDoes(
      @ForAll @Size(max = 40) List<@From("nearNewlines") Byte> content,
      @ForAll @IntRange(max = 40) int from) {
    byte[] bytes = new byte[content.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = content.get(i);
    }
    int start = Math.min(from, bytes.length);
    int expected = -1;
    for (int i = start; i < bytes.length && expected < 0; i++) {
      expected = bytes[i] == '\n' ? i : -1;
    }

    assertThat(LineChecksum.indexOfNewline(bytes, start, bytes.length)).isEqualTo(expected);
  }

  /** Newlines, and bytes one bit or one borrow away from them, which word-wise tests mistake. */
  @Provide
  Arbitrary<Byte> nearNewlines() {
    return Arbitraries.of(
        (byte) '\n', (byte) 0x0B, (byte) 0x09, (byte) 0x8A, (byte) 0x00, (byte) 0xFF, (byte) 'a');
  }

  @Test
  void doesNotDependOnTheOrderOfRows() {
    assertThat(checksum(List.of("a\n", "b\n", "c\n")))
        .isEqualTo(checksum(List.of("c\n", "a\n", "b\n")))
        .isNotEqualTo(checksum(List.of("a\n", "b\n", "d\n")));
  }

  @Test
  void aTableInPartsSumsToTheWholeTable() {
    assertThat(checksum(List.of("a\n", "b\n")).plus(checksum(List.of("c\n"))))
        .isEqualTo(checksum(List.of("a\nb\nc\n")));
  }

  @Test
  void refusesAStreamThatEndsInsideARow() {
    LineChecksum checksum = new LineChecksum();
    byte[] bytes = "1\tcut".getBytes(StandardCharsets.UTF_8);
    checksum.update(bytes, 0, bytes.length);

    assertThatThrownBy(checksum::result).hasMessageContaining("ended inside a row");
  }

  private static Checksum checksum(List<String> chunks) {
    LineChecksum checksum = new LineChecksum();
    for (String chunk : chunks) {
      byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
      checksum.update(bytes, 0, bytes.length);
    }
    return checksum.result();
  }
}
