package io.pgshuttle.agent.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dump's compression is chosen from what the source's data and this disk measure. */
class DumpCompressionIT {
  private static PostgresCluster source;

  @TempDir Path disk;

  @BeforeAll
  static void start() {
    source = PostgresCluster.startTrusting();
    source.execute("postgres", "CREATE DATABASE shop", "CREATE DATABASE empty");
    source.execute(
        "shop",
        "CREATE TABLE small (id int)",
        "CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 50000) g");
  }

  @AfterAll
  static void stop() {
    source.close();
  }

  @Test
  void enoughJobsToOutrunTheDiskCompressAndTheProbeIsRemoved() throws Exception {
    try (Connection connection = connect("shop")) {
      DumpCompression.Choice choice = DumpCompression.choose(connection, disk, 1_000_000);

      assertThat(choice.level()).isEqualTo(1);
      assertThat(choice.diskMegabytesPerSecond()).isPositive();
      assertThat(choice.compressMegabytesPerSecond()).isPositive();
      assertThat(choice.text(1_000_000)).startsWith("compressed at level 1 (disk ");
    }
    try (var left = Files.list(disk)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aDatabaseWithoutRowsIsNotCompressed() throws Exception {
    try (Connection connection = connect("empty")) {
      DumpCompression.Choice choice = DumpCompression.choose(connection, disk, 4);

      assertThat(choice.level()).isZero();
      assertThat(choice.compressMegabytesPerSecond()).isZero();
      assertThat(choice.text(4)).startsWith("uncompressed (disk ");
    }
  }

  private static Connection connect(String database) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", PostgresCluster.SUPERUSER);
    return DriverManager.getConnection(source.jdbcUrl(database), properties);
  }
}
