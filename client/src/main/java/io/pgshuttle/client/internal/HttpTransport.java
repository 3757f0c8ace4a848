package io.pgshuttle.client.internal;

import java.io.IOException;
import java.io.InputStream;

/** Sends {@link HttpCall}s. Implementations are thread-safe. */
public interface HttpTransport {
  /** Sends the call and reads the whole answer. */
  Answer exchange(HttpCall call) throws IOException, InterruptedException;

  /**
   * Sends the call and returns as soon as the answer's head arrived; the caller reads and closes
   * the body.
   */
  StreamingAnswer open(HttpCall call) throws IOException, InterruptedException;

  /**
   * A whole answer.
   *
   * @param body the body as text, never null
   */
  record Answer(int status, String body) {}

  /** An answer whose body is still arriving. */
  record StreamingAnswer(int status, InputStream body) {}
}
