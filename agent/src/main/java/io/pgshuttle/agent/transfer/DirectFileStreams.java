package io.pgshuttle.agent.transfer;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams over the table files of a dump, with direct I/O where the file system takes it. DUMP
 * writes each file once and RESTORE reads it once, so the page cache gains nothing from holding
 * them, while filling it costs the CPU that the source's and the target's sessions need (in a
 * profiled run the dump workers spent 60 % of their time writing files through the page cache; see
 * {@code bench/README.md}), and on a source VM it evicts the database's own pages. Where direct I/O
 * is refused (tmpfs on older kernels, some network file systems), the streams go through the page
 * cache, as any other file. The bytes on the disk are the same either way. Stateless; each stream
 * is for one thread.
 */
final class DirectFileStreams {
  private static final Logger log = LoggerFactory.getLogger(DirectFileStreams.class);

  /** What each stream buffers; a multiple of every block size direct I/O asks for. */
  static final int BUFFER_BYTES = 1 << 20;

  private static final OpenOption[] WRITE = {
    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE
  };
  private static final OpenOption[] READ = {StandardOpenOption.READ};

  private DirectFileStreams() {}

  /** A new stream writing {@code file}, created or emptied. Closing it completes the file. */
  static OutputStream newOutputStream(Path file) throws IOException {
    Optional<FileChannel> channel = openDirect(file, WRITE);
    if (channel.isEmpty()) {
      return new BufferedOutputStream(Files.newOutputStream(file, WRITE), BUFFER_BYTES);
    }
    return new DirectOutputStream(channel.get(), blockSize(file));
  }

  /** A new stream reading {@code file} from its start. */
  static InputStream newInputStream(Path file) throws IOException {
    Optional<FileChannel> channel = openDirect(file, READ);
    if (channel.isEmpty()) {
      return new BufferedInputStream(Files.newInputStream(file, READ), BUFFER_BYTES);
    }
    return new DirectInputStream(channel.get(), blockSize(file));
  }

  /** Whether {@code file}, which exists, opens with direct I/O. */
  static boolean direct(Path file) throws IOException {
    Optional<FileChannel> channel = openDirect(file, READ);
    if (channel.isEmpty()) {
      return false;
    }
    channel.get().close();
    return true;
  }

  /**
   * {@code file} opened with direct I/O; empty where the platform or the file system refuses it. A
   * real fault (no such directory, no room, no permission) then shows, with the file system's own
   * error, when the caller opens the file without direct I/O.
   */
  private static Optional<FileChannel> openDirect(Path file, OpenOption[] options) {
    OpenOption[] direct = new OpenOption[options.length + 1];
    System.arraycopy(options, 0, direct, 0, options.length);
    direct[options.length] = ExtendedOpenOption.DIRECT;
    try {
      return Optional.of(FileChannel.open(file, direct));
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("{} opens through the page cache: direct I/O refused: {}", file, e.toString());
      return Optional.empty();
    }
  }

  private static int blockSize(Path file) throws IOException {
    long size = Files.getFileStore(file).getBlockSize();
    if (size <= 0 || size > BUFFER_BYTES || BUFFER_BYTES % size != 0) {
      throw new IOException(
          "the file system of " + file + " reports a block size of " + size + " bytes");
    }
    return (int) size;
  }

  /** A buffer whose address is a multiple of {@code alignment}, as direct I/O requires. */
  private static ByteBuffer alignedBuffer(int alignment) {
    return ByteBuffer.allocateDirect(BUFFER_BYTES + alignment).alignedSlice(alignment);
  }

  /**
   * Writes whole buffers; the last one is padded to a block, written, and the file cut back to what
   * was written into the stream.
   */
  private static final class DirectOutputStream extends OutputStream {
    private final FileChannel channel;
    private final int blockSize;
    private final ByteBuffer buffer;
    private long length;
    private boolean closed;

    DirectOutputStream(FileChannel channel, int blockSize) {
      this.channel = channel;
      this.blockSize = blockSize;
      this.buffer = alignedBuffer(blockSize);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
      Objects.checkFromIndexSize(offset, count, bytes.length);
      ensureOpen();
      int from = offset;
      int left = count;
      while (left > 0) {
        int taken = Math.min(left, buffer.remaining());
        buffer.put(bytes, from, taken);
        from += taken;
        left -= taken;
        length += taken;
        if (!buffer.hasRemaining()) {
          writeBuffer();
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (channel) {
        int tail = buffer.position();
        if (tail > 0) {
          int padded = (tail + blockSize - 1) / blockSize * blockSize;
          buffer.put(new byte[padded - tail]);
          writeBuffer();
          channel.truncate(length);
        }
      }
    }

    private void writeBuffer() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("the stream is closed");
      }
    }
  }

  /**
   * Reads whole buffers from block-aligned positions; only the file's end comes short of a block.
   */
  private static final class DirectInputStream extends InputStream {
    private final FileChannel channel;
    private final int blockSize;
    private final ByteBuffer buffer;
    private boolean ended;

    DirectInputStream(FileChannel channel, int blockSize) {
      this.channel = channel;
      this.blockSize = blockSize;
      this.buffer = alignedBuffer(blockSize).flip();
    }

    @Override
    public int read() throws IOException {
      return fill() ? buffer.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] bytes, int offset, int count) throws IOException {
      Objects.checkFromIndexSize(offset, count, bytes.length);
      if (count == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int taken = Math.min(count, buffer.remaining());
      buffer.get(bytes, offset, taken);
      return taken;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }

    /** Whether bytes are buffered, reading the next ones if none are; false at the end. */
    private boolean fill() throws IOException {
      while (!buffer.hasRemaining()) {
        if (ended) {
          return false;
        }
        buffer.clear();
        int read = channel.read(buffer);
        buffer.flip();
        // A read stops short of a whole block only at the end of the file, and the next read
        // would start where direct I/O cannot.
        ended = read < 0 || read % blockSize != 0;
      }
      return true;
    }
  }
}
