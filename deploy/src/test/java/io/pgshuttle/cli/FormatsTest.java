package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.cli.MigrationStatus.Progress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FormatsTest {
  @Test
  void writesDurationsShortly() {
    assertThat(Formats.duration(Duration.ofMillis(400))).isEqualTo("0.4s");
    assertThat(Formats.duration(Duration.ofSeconds(12))).isEqualTo("12s");
    assertThat(Formats.duration(Duration.ofSeconds(185))).isEqualTo("3m05s");
    assertThat(Formats.duration(Duration.ofMinutes(62))).isEqualTo("1h02m");
  }

  @Test
  void writesSizesInBinaryUnits() {
    assertThat(Formats.bytes(512)).isEqualTo("512 B");
    assertThat(Formats.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Formats.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
  }

  @Test
  void drawsTheBarFromWhatTheStepReported() {
    assertThat(Formats.progress(new Progress(100.0, null, null, null, null, null, null)))
        .isEqualTo("[####################] 100%");
    assertThat(Formats.progress(new Progress(null, 256L, 1024L, null, null, null, null)))
        .isEqualTo("[#####---------------]  25%  256 B of 1.0 KiB");
    assertThat(Formats.progress(new Progress(null, null, null, 1, 4, "public.t", null)))
        .isEqualTo("[#####---------------]  25%  1/4 tables  public.t");
    assertThat(Formats.progress(new Progress(null, 2048L, null, null, null, null, null)))
        .isEqualTo("2.0 KiB");
    assertThat(Formats.progress(new Progress(null, null, null, 3, 10, "public.orders", 185L)))
        .isEqualTo("[######--------------]  30%  3/10 tables  about 3m05s left  public.orders");
  }

  @Test
  void shortensLongTextToOneLine() {
    assertThat(Formats.shorten("a\n  b", 10)).isEqualTo("a b");
    assertThat(Formats.shorten("abcdefghijkl", 8)).isEqualTo("abcde...");
    assertThat(Formats.shorten(null, 8)).isEmpty();
  }
}
