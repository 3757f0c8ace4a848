package io.pgshuttle.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;

/** Reads the broker's reply out of the exceptions of the RabbitMQ client. Stateless. */
public final class AmqpErrors {
  /** The broker refused an operation the user has no permission for. */
  public static final int ACCESS_REFUSED = AMQP.ACCESS_REFUSED;

  /** A queue or exchange does not exist. */
  public static final int NOT_FOUND = AMQP.NOT_FOUND;

  private AmqpErrors() {}

  /**
   * The reply code with which the broker closed the channel or connection behind {@code error}, or
   * 0 when {@code error} is not such a close.
   */
  public static int replyCode(Throwable error) {
    BrokerClose close = brokerClose(error);
    return close == null ? 0 : close.code();
  }

  /**
   * What went wrong, in a line: the broker's reply text when it closed the channel or connection
   * behind {@code error} (such as {@code NOT_FOUND - no queue 'q' in vhost '/'}), otherwise the
   * first message along the causes.
   */
  public static String describe(Throwable error) {
    BrokerClose close = brokerClose(error);
    if (close != null) {
      return close.text();
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null) {
        return cause.getMessage();
      }
    }
    return error.getClass().getSimpleName();
  }

  private record BrokerClose(int code, String text) {}

  private static BrokerClose brokerClose(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ShutdownSignalException signal) {
        Object reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
          return new BrokerClose(close.getReplyCode(), close.getReplyText());
        }
        if (reason instanceof AMQP.Connection.Close close) {
          return new BrokerClose(close.getReplyCode(), close.getReplyText());
        }
      }
    }
    return null;
  }
}
