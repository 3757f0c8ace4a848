package io.pgshuttle.cli;

import io.pgshuttle.amqp.AmqpConnector;
import io.pgshuttle.cli.config.ClientSettings;
import io.pgshuttle.messages.MessageCodec;

/** The real broker, the real coordinator API and the real daemons. Thread-safe. */
public final class LiveBackends implements Backends {
  private final Timings timings;
  private final MessageCodec codec = new MessageCodec();

  public LiveBackends(Timings timings) {
    this.timings = timings;
  }

  @Override
  public RequestPublisher requestPublisher(ClientSettings settings) {
    return new AmqpRequestPublisher(
        connector(settings), timings.brokerConnectTimeout(), settings.topology(), codec);
  }

  @Override
  public CoordinatorApi coordinator(ClientSettings settings) {
    return new HttpCoordinatorApi(
        settings.coordinatorUrl(), settings.apiToken(), timings.httpTimeout());
  }

  @Override
  public EventFeed events(ClientSettings settings) {
    return new AmqpEventFeed(connector(settings), settings.topology(), codec);
  }

  @Override
  public Daemons daemons() {
    return new GuiceDaemons();
  }

  @Override
  public Timings timings() {
    return timings;
  }

  @Override
  public boolean interactiveTerminal() {
    return System.console() != null;
  }

  private AmqpConnector connector(ClientSettings settings) {
    try {
      return new AmqpConnector(settings.amqpUri(), timings.brokerConnectTimeout());
    } catch (IllegalArgumentException e) {
      // The connector's message names PGSHUTTLE_AMQP_URI and never repeats the URI.
      throw CliException.badInput(e.getMessage());
    }
  }
}
