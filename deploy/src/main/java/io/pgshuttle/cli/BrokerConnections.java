package io.pgshuttle.cli;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.amqp.AmqpException;

/** Opening broker connections for the client commands, with errors that say what to check. */
final class BrokerConnections {
  private BrokerConnections() {}

  /**
   * A connection named {@code clientName}.
   *
   * @throws CliException exit code 3, naming PGSHUTTLE_AMQP_URI, if the broker cannot be reached
   */
  static Connection open(AmqpConnector connector, String clientName) {
    try {
      return connector.connect(clientName);
    } catch (AmqpException e) {
      // The connector's message names the broker (without credentials) and the setting.
      throw CliException.unreachable(e.getMessage(), e);
    }
  }

  /** Why the broker refused or dropped an operation, without credentials. */
  static String reason(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof ShutdownSignalException)) {
      cause = cause.getCause();
    }
    if (cause instanceof ShutdownSignalException signal && signal.getReason() != null) {
      return signal.getReason().toString();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
