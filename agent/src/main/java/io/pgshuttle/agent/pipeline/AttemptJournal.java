package io.pgshuttle.agent.pipeline;

import java.util.Optional;

/**
 * The persistent record of one attempt, on the VM's disk. Every write is durable (written, fsynced,
 * renamed into place) before the method returns, so an agent killed right after still finds it when
 * it starts again. Values are stored as JSON; keys are chosen by the steps, prefixed with the
 * step's area (such as {@code disk.id}). Thread-safe: two steps running alongside each other write
 * and read at once; each write is whole and durable before the next one starts.
 */
public interface AttemptJournal {

  /** Records {@code value} (a record, list, string or number) under {@code key}, durably. */
  void put(String key, Object value);

  /** The value recorded under {@code key}, read as {@code type}; empty if none. */
  <T> Optional<T> get(String key, Class<T> type);

  /** Removes {@code key}, durably; nothing happens if it is absent. */
  void remove(String key);
}
