package io.pgshuttle.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** One in-process run of the command line, with what it printed. */
record CliRun(int exitCode, String out, String err) {

  static CliRun run(Map<String, String> environment, Backends backends, String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = PgShuttle.commandLine(environment, backends);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(arguments);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** Both streams, for assertions about what must appear nowhere. */
  String all() {
    return out + err;
  }
}
