package io.pgshuttle.agent.daemon;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.pgshuttle.agent.AgentConfig;
import io.pgshuttle.agent.pipeline.DurableFiles;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's events on their way to the broker: one file per event under {@code
 * <stateDir>/outbox/}, on the VM's persistent disk. {@link #append} writes an event durably
 * (temporary file, fsync, atomic rename) and returns without waiting for the broker; {@link
 * OutboxRelay} publishes the files in order and removes each only once the broker has confirmed it.
 * So an event is lost neither to a broker outage nor to an agent that is killed: what a process
 * left here is published when the agent starts again. A file published but not yet removed is
 * published again, with the same message id and seq; the coordinator stores each (migration,
 * attempt, seq) once.
 *
 * <p>File names sort in the order events must leave: by attempt, then seq, then migration id
 * ({@code <attempt>-<seq>-<migrationId>.json}, numbers zero-padded). Within an attempt that is the
 * order the sink numbered them in, so an attempt's last event never overtakes its earlier ones.
 *
 * <p>Thread-safe. No argument may be null. The files hold envelopes as they go on the wire: events
 * carry no password, so neither do they.
 */
@Singleton
public final class EventOutbox {
  /** The gauge of events waiting in the outbox. */
  public static final String DEPTH_GAUGE = "pgshuttle.agent.outbox.depth";

  private static final String SUFFIX = ".json";
  private static final String UNREADABLE = "unreadable";

  private final Path directory;
  private final MessageCodec codec;
  private final Object changes = new Object();
  private long appends; // guarded by changes

  @Inject
  EventOutbox(AgentConfig config, MessageCodec codec, MetricRegistry metrics) {
    this(config.stateDir().resolve("outbox"), codec);
    metrics.gauge(DEPTH_GAUGE, () -> (Gauge<Integer>) this::depth);
  }

  /**
   * An outbox in {@code directory}, which is made on the first append if it does not exist.
   *
   * @param directory where the files go; nothing else should be kept there
   */
  public EventOutbox(Path directory, MessageCodec codec) {
    this.directory = directory;
    this.codec = codec;
  }

  /**
   * One waiting event: its file, and what its name says.
   *
   * @param file the file holding the envelope
   * @param attempt the envelope's attempt
   * @param seq the envelope's seq
   */
  public record Entry(Path file, int attempt, long seq) {}

  /** The directory the files are in. */
  public Path directory() {
    return directory;
  }

  /**
   * Writes {@code envelope} durably and wakes the relay. Returns once the file is on disk; the
   * broker is not involved.
   *
   * @throws UncheckedIOException if the file cannot be written (the event is not in the outbox)
   */
  public void append(Envelope<Event> envelope) {
    Path file = directory.resolve(fileName(envelope));
    try {
      DurableFiles.write(file, codec.encode(envelope));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write event to the outbox " + file, e);
    }
    synchronized (changes) {
      appends++;
      changes.notifyAll();
    }
  }

  /**
   * The waiting events, in the order they must be published. Temporary files of a write that did
   * not finish are not among them, nor are files whose names this class did not give.
   */
  public List<Entry> pending() {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      listing.forEach(files::add);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the outbox " + directory, e);
    }
    List<Entry> entries = new ArrayList<>();
    for (Path file : files.stream().sorted().toList()) {
      String[] parts = file.getFileName().toString().split("-", 3);
      try {
        entries.add(new Entry(file, Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        // Not a name this class gives: a file someone put here is not an event of ours.
      }
    }
    return entries;
  }

  /** How many events wait. */
  public int depth() {
    return pending().size();
  }

  /**
   * The envelope in {@code entry}'s file.
   *
   * @throws MessageDecodingException if the file does not hold an event (it is not removed)
   * @throws UncheckedIOException if it cannot be read
   */
  public Envelope<Event> read(Entry entry) throws MessageDecodingException {
    try {
      return codec.decode(Files.readAllBytes(entry.file()), Event.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + entry.file(), e);
    }
  }

  /** Removes a published event. Removing one that is gone already does nothing. */
  public void remove(Entry entry) {
    try {
      // Not fsynced: should the removal be lost in a crash, the event is published again, which
      // the coordinator ignores as a duplicate.
      Files.deleteIfExists(entry.file());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + entry.file() + " from the outbox", e);
    }
  }

  /**
   * Moves a file that holds no readable event to {@code outbox/unreadable/}, out of the way of the
   * events behind it, and keeps it there for a person to look at.
   */
  public Path setAside(Path file) {
    Path target = directory.resolve(UNREADABLE).resolve(file.getFileName());
    try {
      Files.createDirectories(target.getParent());
      Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + file + " out of the outbox", e);
    }
  }

  /** Deletes temporary files of appends that a killed process did not finish. */
  public void deleteUnfinishedWrites() {
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*.tmp")) {
      for (Path file : listing) {
        Files.deleteIfExists(file);
      }
    } catch (NoSuchFileException e) {
      // No outbox yet: nothing was left.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean the outbox " + directory, e);
    }
  }

  /** A count that grows with every append; pass it to {@link #awaitAppendAfter}. */
  public long appendCount() {
    synchronized (changes) {
      return appends;
    }
  }

  /**
   * Waits until an event was appended after {@code count} was read, {@link #wakeWaiters()} was
   * called, or {@code timeout} passed.
   */
  public void awaitAppendAfter(long count, Duration timeout) throws InterruptedException {
    synchronized (changes) {
      if (appends == count) {
        changes.wait(Math.max(1, timeout.toMillis()));
      }
    }
  }

  /** Wakes every thread in {@link #awaitAppendAfter}, such as a relay that is to stop. */
  public void wakeWaiters() {
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  private static String fileName(Envelope<Event> envelope) {
    return String.format(
        "%010d-%019d-%s%s", envelope.attempt(), envelope.seq(), envelope.migrationId(), SUFFIX);
  }
}
