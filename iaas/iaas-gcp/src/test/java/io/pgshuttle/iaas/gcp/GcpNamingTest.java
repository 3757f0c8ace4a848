package io.pgshuttle.iaas.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.iaas.DiskTags;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GcpNamingTest {
  private static final String KEY = "[a-z][a-z0-9_-]{0,62}";
  private static final String VALUE = "[a-z0-9_-]{0,63}";

  private static final List<String> AWKWARD =
      List.of(
          "",
          "plain-value-1",
          "Upper/Case Instance",
          "ünïcödé-数据库",
          "under_score",
          "0-starts-with-a-digit",
          "-starts-with-a-hyphen",
          "x".repeat(200),
          "X".repeat(63));

  @Test
  void everyTagBecomesAValidLabel() {
    for (String text : AWKWARD) {
      Map<String, String> labels = GcpNaming.labels(Map.of(text, text));
      Map.Entry<String, String> label = labels.entrySet().iterator().next();
      assertThat(label.getKey()).as("key of '%s'", text).matches(KEY);
      assertThat(label.getValue()).as("value of '%s'", text).matches(VALUE);
    }
  }

  @Test
  void pgshuttleTagsKeepTheirNamesAndValuesAsLabels() {
    Map<String, String> tags =
        DiskTags.forAttempt("pg-0", "2f7c9a4e-5d6b-4c1e-9f3a-000000000001", 2);
    assertThat(GcpNaming.labels(tags)).isEqualTo(tags);
  }

  @Test
  void labelsAreDeterministicAndDistinctForDistinctValues() {
    Set<String> values = new HashSet<>();
    for (String text : AWKWARD) {
      assertThat(GcpNaming.labelValue(text)).isEqualTo(GcpNaming.labelValue(text));
      values.add(GcpNaming.labelValue(text));
    }
    assertThat(values).hasSize(AWKWARD.size());
    assertThat(GcpNaming.labelValue("y".repeat(100)))
        .isNotEqualTo(GcpNaming.labelValue("y".repeat(99) + "z"));
    assertThat(GcpNaming.labelValue("A")).isNotEqualTo(GcpNaming.labelValue("a"));
  }

  @Test
  void theDescriptionRecordsTheExactTags() {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String text : AWKWARD) {
      tags.put("k " + text, text + "=&%");
    }
    String description = GcpNaming.description(tags);
    assertThat(description).startsWith(GcpNaming.DESCRIPTION_PREFIX);
    assertThat(GcpNaming.tags(description, GcpNaming.labels(tags))).isEqualTo(tags);
    assertThat(GcpNaming.tags(GcpNaming.description(Map.of()), Map.of())).isEmpty();
  }

  @Test
  void aDiskPgshuttleDidNotMakeHasItsLabelsAsTags() {
    Map<String, String> labels = Map.of("env", "prod");
    assertThat(GcpNaming.tags("the team's scratch disk", labels)).isEqualTo(labels);
  }

  @Test
  void theFilterAsksForEveryLabel() {
    assertThat(GcpNaming.filter(Map.of())).isEmpty();
    assertThat(GcpNaming.filter(Map.of("pgshuttle-attempt", "1", "created-by", "Me")))
        .contains("(labels.created-by = \"_4de\") AND (labels.pgshuttle-attempt = \"1\")");
  }

  @Test
  void diskNamesAndRequestIdsFollowTheKey() {
    String name = GcpNaming.diskName("Migration-1/attempt 2");
    assertThat(name).matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?").startsWith("pgshuttle-");
    assertThat(GcpNaming.diskName("Migration-1/attempt 2")).isEqualTo(name);
    assertThat(GcpNaming.diskName("Migration-1/attempt 3")).isNotEqualTo(name);

    String requestId = GcpNaming.requestId("k");
    assertThat(requestId)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .isEqualTo(GcpNaming.requestId("k"))
        .isNotEqualTo(GcpNaming.requestId("k2"))
        .isNotEqualTo("00000000-0000-0000-0000-000000000000");
  }
}
