package io.pgshuttle.agent.steps;

import io.pgshuttle.agent.postgres.Jdbc;
import io.pgshuttle.agent.postgres.Sql;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.Deflater;
import org.postgresql.PGConnection;

/**
 * Chooses {@code pg_dump}'s compression for the disk at hand by measuring, not by habit: it copies
 * a sample of the largest table out of the source, times zlib at level 1 on it (what {@code pg_dump
 * --compress=1} runs, once per job), and times writing and syncing that data on the disk.
 * Compression pays only where the jobs together compress faster than the disk writes, such as a
 * throttled network disk on a VM with many cores; on a fast local disk it only costs CPU.
 * Stateless.
 */
final class DumpCompression {
  private static final int SAMPLE_ROWS = 100_000;

  /** How much faster compressed must be: inflating costs the restore CPU. */
  private static final double MARGIN = 1.5;

  private static final long PROBE_BYTES = 64L << 20;
  private static final String PROBE_FILE = ".pgshuttle-disk-probe";
  private static final double MEGABYTE = 1 << 20;

  private DumpCompression() {}

  /**
   * What was measured and chosen.
   *
   * @param level for {@code pg_dump --compress}: 0 or 1
   * @param diskMegabytesPerSecond writing and syncing on the disk
   * @param copyMegabytesPerSecond of COPY output from one source session; 0 when the source has no
   *     rows to sample
   * @param compressMegabytesPerSecond of source data through zlib level 1, on one core; 0 without a
   *     sample
   * @param ratio compressed size over original size of the sample; 1 without a sample
   */
  record Choice(
      int level,
      double diskMegabytesPerSecond,
      double copyMegabytesPerSecond,
      double compressMegabytesPerSecond,
      double ratio) {
    /**
     * Such as {@code uncompressed (disk 1310 MB/s, COPY 2 x 240 MB/s, zlib 2 x 717 MB/s to 15%)}.
     */
    String text(int jobs) {
      return String.format(
          Locale.ROOT,
          "%s (disk %.0f MB/s, COPY %d x %.0f MB/s, zlib %d x %.0f MB/s to %.0f%%)",
          level == 0 ? "uncompressed" : "compressed at level " + level,
          diskMegabytesPerSecond,
          jobs,
          copyMegabytesPerSecond,
          jobs,
          compressMegabytesPerSecond,
          100 * ratio);
    }
  }

  /**
   * Measures and chooses for a dump by {@code jobs} processes into {@code directory}, sampling the
   * source database on {@code source}.
   *
   * @throws IOException if the disk cannot be written
   * @throws SQLException if the source cannot be sampled
   */
  static Choice choose(Connection source, Path directory, int jobs)
      throws IOException, SQLException {
    long started = System.nanoTime();
    byte[] sample = sample(source).orElse(new byte[0]);
    double copy = sample.length / MEGABYTE / ((System.nanoTime() - started) / 1e9);
    double disk = diskSpeed(directory, sample.length > 0 ? sample : new byte[1 << 20]);
    if (sample.length == 0) {
      return new Choice(0, disk, 0, 0, 1);
    }
    double[] zlib = compress(sample);
    double uncompressed = Math.min(jobs * copy, disk);
    double compressed = Math.min(Math.min(jobs * copy, jobs * zlib[0]), disk / zlib[1]);
    return new Choice(compressed > MARGIN * uncompressed ? 1 : 0, disk, copy, zlib[0], zlib[1]);
  }

  /** COPY text of the first rows of the largest table; empty when the database has no rows. */
  private static Optional<byte[]> sample(Connection source) throws SQLException {
    Optional<String> largest =
        Jdbc.first(
            source,
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid ="
                + " c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog',"
                + " 'information_schema') AND n.nspname !~ '^pg_'"
                + " ORDER BY pg_relation_size(c.oid) DESC LIMIT 1",
            row -> Sql.qualified(row.getString(1), row.getString(2)));
    if (largest.isEmpty()) {
      return Optional.empty();
    }
    ByteArrayOutputStream copied = new ByteArrayOutputStream();
    try {
      source
          .unwrap(PGConnection.class)
          .getCopyAPI()
          .copyOut(
              "COPY (SELECT * FROM " + largest.get() + " LIMIT " + SAMPLE_ROWS + ") TO STDOUT",
              copied);
    } catch (IOException e) {
      throw new SQLException("cannot read a sample of " + largest.get(), e);
    }
    return copied.size() == 0 ? Optional.empty() : Optional.of(copied.toByteArray());
  }

  /** Megabytes per second of {@code data} through zlib at level 1 on this thread, and its ratio. */
  private static double[] compress(byte[] data) {
    Deflater deflater = new Deflater(1);
    byte[] output = new byte[64 << 10];
    long started = System.nanoTime();
    long consumed = 0;
    long produced = 0;
    // At least a few rounds, so that a small sample still gives a steady figure.
    do {
      deflater.reset();
      deflater.setInput(data);
      deflater.finish();
      while (!deflater.finished()) {
        produced += deflater.deflate(output);
      }
      consumed += data.length;
    } while (System.nanoTime() - started < 200_000_000L);
    deflater.end();
    double seconds = (System.nanoTime() - started) / 1e9;
    return new double[] {consumed / MEGABYTE / seconds, (double) produced / consumed};
  }

  /** Megabytes per second of writing {@link #PROBE_BYTES} into {@code directory} and syncing. */
  private static double diskSpeed(Path directory, byte[] pattern) throws IOException {
    Files.createDirectories(directory);
    Path probe = directory.resolve(PROBE_FILE);
    try (FileChannel channel =
        FileChannel.open(
            probe,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      long started = System.nanoTime();
      long written = 0;
      while (written < PROBE_BYTES) {
        ByteBuffer buffer = ByteBuffer.wrap(pattern);
        while (buffer.hasRemaining()) {
          written += channel.write(buffer);
        }
      }
      channel.force(true);
      return written / MEGABYTE / ((System.nanoTime() - started) / 1e9);
    } finally {
      Files.deleteIfExists(probe);
    }
  }
}
