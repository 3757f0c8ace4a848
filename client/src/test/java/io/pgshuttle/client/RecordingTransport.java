package io.pgshuttle.client;

import io.pgshuttle.client.internal.HttpCall;
import io.pgshuttle.client.internal.HttpTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An {@link HttpTransport} without I/O for unit tests: it records each call as it would go over the
 * wire and answers with the answers queued, in order. Thread-safe.
 */
final class RecordingTransport implements HttpTransport {
  private final Deque<Object> answers = new ArrayDeque<>();
  private final List<HttpCall> calls = new ArrayList<>();

  synchronized RecordingTransport answer(int status, String body) {
    answers.add(new Answer(status, body));
    notifyAll();
    return this;
  }

  synchronized RecordingTransport fail(IOException failure) {
    answers.add(failure);
    return this;
  }

  synchronized List<HttpCall> calls() {
    return List.copyOf(calls);
  }

  synchronized HttpCall onlyCall() {
    if (calls.size() != 1) {
      throw new AssertionError("expected one call, got " + calls);
    }
    return calls.get(0);
  }

  @Override
  public synchronized Answer exchange(HttpCall call) throws IOException {
    calls.add(call);
    Object next = answers.poll();
    if (next == null) {
      throw new AssertionError("no answer queued for " + call);
    }
    if (next instanceof IOException failure) {
      throw failure;
    }
    return (Answer) next;
  }

  /** As {@link #exchange}, but waits while no answer is queued, as a stream that stays silent. */
  @Override
  public synchronized StreamingAnswer open(HttpCall call) throws IOException, InterruptedException {
    while (answers.isEmpty()) {
      wait();
    }
    Answer answer = exchange(call);
    return new StreamingAnswer(
        answer.status(), new ByteArrayInputStream(answer.body().getBytes(StandardCharsets.UTF_8)));
  }
}
