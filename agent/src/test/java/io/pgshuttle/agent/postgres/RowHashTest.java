package io.pgshuttle.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RowHashTest {
  @Test
  void bothServersFromVersion11HashWithHashtextextended() {
    assertThat(
            RowHash.forServers(
                PgVersion.ofServerVersionNum(110000), PgVersion.ofServerVersionNum(150004)))
        .isEqualTo(RowHash.HASHTEXT);
    assertThat(RowHash.HASHTEXT.sumOf("t::text"))
        .isEqualTo("coalesce(sum(hashtextextended(t::text, 0)), 0)");
  }

  @Test
  void anOlderServerOnEitherSideMeansMd5() {
    assertThat(
            RowHash.forServers(
                PgVersion.ofServerVersionNum(100012), PgVersion.ofServerVersionNum(150004)))
        .isEqualTo(RowHash.MD5);
    assertThat(
            RowHash.forServers(
                PgVersion.ofServerVersionNum(150004), PgVersion.ofServerVersionNum(90624)))
        .isEqualTo(RowHash.MD5);
    assertThat(RowHash.MD5.sumOf("t::text"))
        .isEqualTo("coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint), 0)");
  }
}
