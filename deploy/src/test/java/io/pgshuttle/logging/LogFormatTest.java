package io.pgshuttle.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The distribution's log format: one line per event whatever a logged value holds, so that a name
 * or an error text from outside cannot forge log lines or drive a terminal.
 */
class LogFormatTest {
  private static final Path DIST_CONFIG = Path.of("src/dist/conf/logback.xml");

  @Test
  void aLoggedValueWithLineBreaksStaysOnOneLine() throws JoranException {
    String line = format("database {} not found", "x\nINFO forged line\r\nmore\u2028end");

    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r", "\u2028");
    assertThat(line).contains("database x\\nINFO forged line\\r\\nmore\\u2028end not found");
  }

  @Test
  void controlCharactersAreShownEscapedNotSent() throws JoranException {
    String line = format("role {} created", "a\u001b[31mred\u0000b\tc");

    assertThat(line).doesNotContain("\u001b", "\u0000");
    assertThat(line).contains("role a\\u001b[31mred\\u0000b\\tc created");
  }

  @Test
  void theConfigurationLoadsWithoutWarnings() throws JoranException {
    // Logback prints its own warnings on stdout, which the CLI keeps for command output.
    LoggerContext context = configured();

    assertThat(context.getStatusManager().getCopyOfStatusList())
        .allSatisfy(status -> assertThat(status.getLevel()).isLessThan(Status.WARN));
    context.stop();
  }

  @Test
  void ordinaryTextIsUnchanged() throws JoranException {
    assertThat(format("migrated {} in {} s", "Ünïcode \"db\" $(x)", 12))
        .contains("migrated Ünïcode \"db\" $(x) in 12 s\n");
  }

  private static LoggerContext configured() throws JoranException {
    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(DIST_CONFIG.toFile());
    return context;
  }

  private static String format(String message, Object... arguments) throws JoranException {
    LoggerContext context = configured();
    Logger logger = context.getLogger("io.pgshuttle.test");
    OutputStreamAppender<ILoggingEvent> appender =
        (OutputStreamAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    LoggingEvent event =
        new LoggingEvent(Logger.class.getName(), logger, Level.WARN, message, null, arguments);
    String text = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    context.stop();
    return text;
  }
}
