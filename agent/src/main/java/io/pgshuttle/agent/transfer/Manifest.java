package io.pgshuttle.agent.transfer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a database's dump: which file holds which table's rows, with each file's
 * row count and checksum. Immutable.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param encoding the database's encoding, which the files are in
 * @param checksum how {@link File#checksum} is computed, for a person reading the file
 * @param tables by schema and name
 */
public record Manifest(int formatVersion, String encoding, String checksum, List<Table> tables) {
  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";
  static final String CHECKSUM_METHOD =
      "sum modulo 2^64 (as a signed 64-bit number) of XXHash64, seed 0, of each line without its"
          + " newline";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param columns in the order of the files' fields
   * @param files its parts in order
   */
  public record Table(String schema, String name, List<String> columns, List<File> files) {}

  /**
   * @param path relative to the database's dump directory
   * @param fromPage first page of the ctid range, null for none
   * @param toPage page after the ctid range, null for none
   */
  public record File(String path, Long fromPage, Long toPage, long rows, long checksum) {}

  public Manifest {
    tables = List.copyOf(tables);
  }

  /** The manifest of {@code files}, which hold every part of their tables. */
  public static Manifest of(String encoding, List<DumpedFile> files) {
    Map<String, Table> tables = new LinkedHashMap<>();
    List<DumpedFile> ordered = new ArrayList<>(files);
    ordered.sort(Comparator.comparingInt(file -> file.part().file()));
    for (DumpedFile file : ordered) {
      CopyTable table = file.part().table();
      tables
          .computeIfAbsent(
              table.qualified(),
              key -> new Table(table.schema(), table.name(), table.columns(), new ArrayList<>()))
          .files()
          .add(
              new File(
                  file.part().fileName(),
                  file.part().fromPage(),
                  file.part().toPage(),
                  file.checksum().rows(),
                  file.checksum().sum()));
    }
    return new Manifest(
        FORMAT_VERSION, encoding, CHECKSUM_METHOD, new ArrayList<>(tables.values()));
  }

  /** Each table's checksum over its files, by qualified name. */
  public SortedMap<String, Checksum> checksums() {
    SortedMap<String, Checksum> checksums = new TreeMap<>();
    for (Table table : tables) {
      Checksum sum = Checksum.EMPTY;
      for (File file : table.files()) {
        sum = sum.plus(new Checksum(file.rows(), file.checksum()));
      }
      checksums.put(
          new CopyTable(table.schema(), table.name(), table.columns(), 0).qualified(), sum);
    }
    return checksums;
  }

  public void write(Path path) throws IOException {
    JSON.writeValue(path.toFile(), this);
  }

  public static Manifest read(Path path) throws IOException {
    return JSON.readValue(path.toFile(), Manifest.class);
  }
}
