package io.pgshuttle.agent.transfer;

import io.pgshuttle.agent.pipeline.Cancellation;
import io.pgshuttle.agent.pipeline.RetryableStepException;
import io.pgshuttle.agent.pipeline.StepException;
import io.pgshuttle.agent.postgres.PgConnector;
import io.pgshuttle.agent.postgres.PgEndpoint;
import io.pgshuttle.agent.postgres.PgErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;

/**
 * Runs tasks on threads of their own and waits for all of them. The first failure, or the attempt's
 * cancellation, cancels the running query of every connection the tasks registered, so the others
 * end soon; the first failure is thrown. One per batch of tasks; thread-safe.
 */
final class Workers {
  /** One task. */
  interface Task {
    void run() throws Exception;
  }

  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Runnable> stopHooks = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private volatile boolean stopped;

  /** Lets a stop cancel the query running on {@code connection} until it is closed. */
  Connection register(Connection connection) throws StepException {
    connections.add(connection);
    if (stopped) {
      throw new RetryableStepException("stopped, as another worker failed");
    }
    return connection;
  }

  /**
   * A registered session in {@code database} with the settings COPY text needs ({@link
   * Copies#configure}); the caller closes it.
   */
  Connection copySession(PgConnector connector, PgEndpoint server, String database)
      throws StepException {
    Connection connection = connector.connect(server, database);
    try {
      register(connection);
      PgErrors.on(
          server,
          "preparing a session in " + database,
          () -> {
            Copies.configure(connection);
            return null;
          });
      return connection;
    } catch (StepException | RuntimeException e) {
      unregister(connection);
      closeQuietly(connection);
      throw e;
    }
  }

  /** Closes {@code connection}, ignoring a failure: an earlier error is the one to report. */
  static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Already failing: the first error is the one to report.
    }
  }

  void unregister(Connection connection) {
    connections.remove(connection);
  }

  /**
   * The attempt's {@code cancellation} that also counts as cancelled once a task failed, so that a
   * tool a task runs, or a wait of a task, ends then too.
   */
  Cancellation stoppable(Cancellation cancellation) {
    return new Cancellation() {
      @Override
      public boolean isCancelled() {
        return stopped || cancellation.isCancelled();
      }

      @Override
      public void throwIfCancelled() throws StepException {
        cancellation.throwIfCancelled();
        if (stopped) {
          throw new RetryableStepException("stopped, as another worker failed");
        }
      }

      @Override
      public Registration onCancel(Runnable onCancel) {
        Registration attempt = cancellation.onCancel(onCancel);
        stopHooks.add(onCancel);
        if (stopped) {
          onCancel.run();
        }
        return () -> {
          stopHooks.remove(onCancel);
          attempt.close();
        };
      }
    };
  }

  /** Whether a task failed: the others should take no more work. */
  boolean stopped() {
    return stopped;
  }

  /** Runs every task at once and waits; throws the first failure. */
  void run(String name, List<Task> tasks, Cancellation cancellation) throws StepException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            tasks.size(),
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
    try (Cancellation.Registration ignored = cancellation.onCancel(this::stop)) {
      List<Future<?>> running = new ArrayList<>();
      for (Task task : tasks) {
        running.add(
            pool.submit(
                () -> {
                  try {
                    task.run();
                    return null;
                  } catch (Exception e) {
                    // The first to fail is the cause; the others fail as they are stopped.
                    firstFailure.compareAndSet(null, e);
                    stop();
                    throw e;
                  }
                }));
      }
      for (Future<?> future : running) {
        try {
          future.get();
        } catch (ExecutionException e) {
          // Recorded in firstFailure by the task itself.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          firstFailure.compareAndSet(null, e);
          stop();
        }
      }
      Throwable first = firstFailure.get();
      cancellation.throwIfCancelled();
      if (first instanceof StepException stepException) {
        throw stepException;
      }
      if (first instanceof InterruptedException) {
        throw new RetryableStepException("interrupted while " + name + " ran", first);
      }
      if (first != null) {
        throw new IllegalStateException(name + " failed", first);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void stop() {
    stopped = true;
    for (Connection connection : connections) {
      try {
        connection.unwrap(PGConnection.class).cancelQuery();
      } catch (SQLException e) {
        // The query ends on its own; the cancel only makes it sooner.
      }
    }
    // Last: stopping a tool waits for it to end.
    stopHooks.forEach(Runnable::run);
  }
}
