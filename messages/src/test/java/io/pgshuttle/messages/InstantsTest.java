package io.pgshuttle.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Instants#parse} reads, and refuses, exactly what {@link Instant#parse} does. */
class InstantsTest {
  @Provide
  Arbitrary<Instant> instants() {
    return Combinators.combine(
            Arbitraries.longs()
                .between(
                    Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()),
            Arbitraries.oneOf(
                Arbitraries.just(0),
                Arbitraries.integers().between(0, 999).map(millis -> millis * 1_000_000),
                Arbitraries.integers().between(0, 999_999_999)))
        .as(Instant::ofEpochSecond);
  }

  @Property(tries = 5_000)
  void readsWhatInstantWritesAsInstantParseDoes(@ForAll("instants") Instant instant) {
    assertThat(Instants.parse(instant.toString())).isEqualTo(instant);
  }

  /** Near misses of the written form: a character changed, dropped or added. */
  @Provide
  Arbitrary<String> nearMisses() {
    Arbitrary<Character> chars =
        Arbitraries.of(
            '0', '1', '2', '3', '5', '9', '-', ':', '.', 'T', 't', 'Z', 'z', '+', ' ', '٣');
    return Combinators.combine(
            instants().map(Instant::toString),
            Arbitraries.integers().between(0, 29),
            chars,
            Arbitraries.integers().between(0, 2))
        .as(
            (text, at, c, edit) -> {
              int i = Math.min(at, text.length() - 1);
              return switch (edit) {
                case 0 -> text.substring(0, i) + c + text.substring(i + 1);
                case 1 -> text.substring(0, i) + text.substring(i + 1);
                default -> text.substring(0, i) + c + text.substring(i);
              };
            });
  }

  @Property(tries = 20_000)
  void acceptsAndRefusesWhatInstantParseDoes(@ForAll("nearMisses") String text) {
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> Instants.parse(text)).isInstanceOf(DateTimeParseException.class);
      return;
    }
    assertThat(Instants.parse(text)).isEqualTo(expected);
  }

  @Example
  void edgesOfTheCalendarAndTheClock() {
    for (String text :
        new String[] {
          "2024-02-29T23:59:59.999999999Z",
          "2023-02-29T00:00:00Z",
          "2026-04-31T00:00:00Z",
          "2026-12-31T23:59:60Z",
          "2026-11-27T24:00:00Z",
          "2026-11-27T01:02:03.Z",
          "2026-11-27T01:02:03.1234567890Z",
          "2026-11-27t01:02:03z",
          "2026-11-27T01:02:03+01:00",
          "0000-01-01T00:00:00Z",
          "+10000-01-01T00:00:00Z"
        }) {
      acceptsAndRefusesWhatInstantParseDoes(text);
    }
  }
}
