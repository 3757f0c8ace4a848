package io.pgshuttle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.cli.MigrationStatus.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressViewTest {
  @Test
  void onATerminalProgressLinesRedrawInPlace() {
    StringWriter text = new StringWriter();
    ProgressView view = new ProgressView(new PrintWriter(text), true);

    view.stepProgress(1, "DUMP", new Progress(10.0, null, null, null, null, null, null));
    view.stepProgress(1, "DUMP", new Progress(60.0, null, null, null, null, null, 42L));
    view.stepSucceeded(1, "DUMP", Duration.ofSeconds(3), null);

    assertThat(text.toString())
        .isEqualTo(
            "\r\033[K[attempt 1] DUMP            [##------------------]  10%"
                + "\r\033[K[attempt 1] DUMP            [############--------]  60%  about 42s left"
                + "\r\033[K[attempt 1] DUMP            succeeded in 3.0s\n");
  }

  @Test
  void onATerminalTwoStepsReportingAtOnceShareTheLine() {
    StringWriter text = new StringWriter();
    ProgressView view = new ProgressView(new PrintWriter(text), true);

    view.stepProgress(1, "DUMP", new Progress(40.0, null, null, null, null, null, null));
    view.stepProgress(1, "RESTORE", new Progress(null, null, null, 1, 10, "public.a", null));
    view.stepProgress(1, "DUMP", new Progress(50.0, null, null, null, null, null, null));
    view.stepSucceeded(1, "DUMP", Duration.ofSeconds(3), null);
    view.stepProgress(1, "RESTORE", new Progress(null, null, null, 2, 10, "public.b", null));

    assertThat(text.toString())
        .isEqualTo(
            "\r\033[K[attempt 1] DUMP            [########------------]  40%"
                + "\r\033[K[attempt 1] DUMP [########------------]  40%"
                + " RESTORE [##------------------]  10%"
                + "\r\033[K[attempt 1] DUMP [##########----------]  50%"
                + " RESTORE [##------------------]  10%"
                + "\r\033[K[attempt 1] DUMP            succeeded in 3.0s\n"
                + "\r\033[K[attempt 1] RESTORE         [####----------------]  20%"
                + "  2/10 tables  public.b");
  }

  @Test
  void elsewhereEachProgressIsALine() {
    StringWriter text = new StringWriter();
    ProgressView view = new ProgressView(new PrintWriter(text), false);

    view.stepProgress(2, "RESTORE", new Progress(null, null, null, 3, 4, null, null));
    view.finish();

    assertThat(text.toString())
        .isEqualTo("[attempt 2] RESTORE         [###############-----]  75%  3/4 tables\n");
  }
}
