package io.pgshuttle.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectFileStreamsIT {
  private static final int BLOCK = 4096;
  private static final int BUFFER = DirectFileStreams.BUFFER_BYTES;

  @TempDir Path directory;

  @Test
  void theDumpsFileSystemHereTakesDirectIo() throws IOException {
    Path file = directory.resolve("probe");
    Files.write(file, new byte[] {1});
    String type = Files.getFileStore(file).type();
    assumeTrue(
        type.equals("ext4") || type.equals("xfs"),
        "direct I/O is only expected of ext4 and xfs, not " + type);

    assertThat(DirectFileStreams.direct(file)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      ints = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, BUFFER - 1, BUFFER, BUFFER + 1, 3 * BUFFER + 17})
  void whatIsWrittenIsTheFileByteForByteAndReadsBackTheSame(int size) throws IOException {
    byte[] content = randomBytes(size);
    Path file = directory.resolve("table.0.copy");

    try (OutputStream out = DirectFileStreams.newOutputStream(file)) {
      // Pieces of odd sizes, as COPY rows come.
      int offset = 0;
      for (int piece = 1; offset < size; piece = piece * 3 % 70_001 + 1) {
        int length = Math.min(piece, size - offset);
        out.write(content, offset, length);
        offset += length;
      }
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(readInPieces(file, 777)).isEqualTo(content);
    assertThat(readInPieces(file, BUFFER * 2)).isEqualTo(content);
  }

  @Test
  void singleBytesGoThroughAsWell() throws IOException {
    Path file = directory.resolve("bytes");
    try (OutputStream out = DirectFileStreams.newOutputStream(file)) {
      for (int i = 0; i < BLOCK + 3; i++) {
        out.write('a' + i % 26);
      }
    }

    try (InputStream in = DirectFileStreams.newInputStream(file)) {
      for (int i = 0; i < BLOCK + 3; i++) {
        assertThat(in.read()).as("byte %d", i).isEqualTo('a' + i % 26);
      }
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aFileWrittenAgainHoldsOnlyTheNewContent() throws IOException {
    Path file = directory.resolve("again");
    Files.write(file, randomBytes(3 * BLOCK));
    byte[] shorter = randomBytes(BLOCK + 5);

    try (OutputStream out = DirectFileStreams.newOutputStream(file)) {
      out.write(shorter);
    }

    assertThat(Files.readAllBytes(file)).isEqualTo(shorter);
  }

  @Test
  void aMissingDirectoryOrFileIsTheFileSystemsOwnError() {
    assertThatThrownBy(
            () -> DirectFileStreams.newOutputStream(directory.resolve("absent").resolve("file")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> DirectFileStreams.newInputStream(directory.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aClosedStreamTakesNoMoreBytes() throws IOException {
    Path file = directory.resolve("closed");
    OutputStream out = DirectFileStreams.newOutputStream(file);
    out.write(new byte[] {1, 2, 3});
    out.close();
    out.close();

    assertThatThrownBy(() -> out.write(4)).isInstanceOf(IOException.class);
    assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
  }

  private static byte[] readInPieces(Path file, int piece) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (InputStream in = DirectFileStreams.newInputStream(file)) {
      byte[] buffer = new byte[piece];
      int count;
      while ((count = in.read(buffer, 0, buffer.length)) >= 0) {
        read.write(buffer, 0, count);
      }
    }
    return read.toByteArray();
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
