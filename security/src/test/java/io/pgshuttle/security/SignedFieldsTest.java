package io.pgshuttle.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignedFieldsTest {
  /** The form every signature and event MAC ever made covers: it must never change. */
  @Test
  void canonicalIsEachFieldsUtf8LengthAColonItsTextAndANewline() {
    byte[] canonical = SignedFields.canonical(List.of("v1", "", "vm-ü\n2", "x".repeat(12)));

    assertThat(new String(canonical, StandardCharsets.UTF_8))
        .isEqualTo("2:v1\n0:\n7:vm-ü\n2\n12:xxxxxxxxxxxx\n");
  }
}
