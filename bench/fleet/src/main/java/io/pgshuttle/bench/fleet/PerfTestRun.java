package io.pgshuttle.bench.fleet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RabbitMQ's own PerfTest ({@code com.rabbitmq:perf-test}) as a child JVM on this benchmark's
 * classpath (its main ends with System.exit): one producer and one consumer on a quorum queue,
 * persistent messages of the given size, publisher confirms with a window, consumer acks with a
 * prefetch, for a fixed time. Its summary line gives the rates. Not thread-safe; run once.
 *
 * @param uri the broker, the same virtual host as the coordinator's
 * @param queue the queue PerfTest declares (quorum) and the caller deletes
 * @param size message size in bytes
 * @param seconds how long it runs
 * @param log where PerfTest's output is copied
 */
record PerfTestRun(String uri, String queue, int size, int seconds, Path log) {
  private static final Pattern SENDING = Pattern.compile("sending rate avg: (\\d+) msg/s");
  private static final Pattern RECEIVING = Pattern.compile("receiving rate avg: (\\d+) msg/s");

  /** The rates PerfTest reports, messages per second; -1 when it did not say. */
  record Rates(long sent, long received) {}

  Rates run() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("com.rabbitmq.perf.PerfTest");
    command.addAll(
        List.of(
            "--uri",
            uri,
            "--producers",
            "1",
            "--consumers",
            "1",
            "--queue",
            queue,
            "--quorum-queue",
            "--flag",
            "persistent",
            "--size",
            Integer.toString(size),
            "--confirm",
            "200",
            "--qos",
            "200",
            "--time",
            Integer.toString(seconds),
            "--id",
            "perftest"));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int status = process.waitFor();
    long sent = -1;
    long received = -1;
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                java.nio.file.Files.newInputStream(log), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        Matcher s = SENDING.matcher(line);
        if (s.find()) {
          sent = Long.parseLong(s.group(1));
        }
        Matcher r = RECEIVING.matcher(line);
        if (r.find()) {
          received = Long.parseLong(r.group(1));
        }
      }
    }
    if (status != 0 || received < 0) {
      throw new IOException("PerfTest failed (exit " + status + "): see " + log);
    }
    return new Rates(sent, received);
  }
}
