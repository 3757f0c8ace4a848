package io.pgshuttle.client;

/**
 * Told about the messages of a {@link Subscription} that the {@link EventHandler} did not take.
 * Called on the subscription's consumer thread; what it throws is ignored, so it cannot stall the
 * subscription.
 */
@FunctionalInterface
public interface SubscriptionErrorHandler {
  /**
   * One message went wrong.
   *
   * @param routingKey the message's routing key, not null
   * @param body the raw message, not null
   * @param cause a {@link io.pgshuttle.messages.MessageDecodingException} for a message that is no
   *     pgshuttle event (it is rejected without requeue: dropped, or dead-lettered if the queue has
   *     a dead-letter policy), or what the {@link EventHandler} threw (the message is requeued)
   */
  void onError(String routingKey, byte[] body, Exception cause);
}
