package io.pgshuttle.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PostgresClusterIT {

  @Test
  void startsStopsAndRestartsAClusterThatDemandsItsPassword() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.startWithPassword("pw-123")) {
      cluster.execute("postgres", "CREATE DATABASE app", "CREATE TABLE t (x int)");
      assertThat(cluster.userDatabases()).containsExactly("app");

      Properties wrong = new Properties();
      wrong.setProperty("user", "postgres");
      wrong.setProperty("password", "nope");
      assertThatThrownBy(() -> DriverManager.getConnection(cluster.jdbcUrl("app"), wrong))
          .hasMessageContaining("password authentication failed");

      cluster.stop();
      assertThatThrownBy(() -> cluster.connect("app")).hasMessageContaining("refused");
      cluster.start();
      assertThat(cluster.queryValue("postgres", "SELECT count(*) FROM t")).isEqualTo("0");
    }
  }
}
