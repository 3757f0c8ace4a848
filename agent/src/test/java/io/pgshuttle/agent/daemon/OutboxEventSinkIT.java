package io.pgshuttle.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgshuttle.agent.pipeline.StepThreads;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.Event;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import io.pgshuttle.messages.Topology;
import io.pgshuttle.testkit.TestBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink of an attempt whose DUMP and RESTORE run at once, emitting from two threads: what the
 * outbox on disk holds and what heartbeats name. The relay is not started: nothing is published.
 */
class OutboxEventSinkIT {
  @TempDir Path work;
  final MessageCodec codec = new MessageCodec();
  final MigrationId migration = MigrationId.forRequest("outbox-sink-it");

  private OutboxEventSink sink(EventOutbox outbox) {
    return new OutboxEventSink(
        outbox,
        new OutboxRelay(outbox, new Topology(TestBroker.freshNamespace()), codec),
        "vm-1",
        migration,
        1,
        Clock.systemUTC());
  }

  private static StepProgress progress(Step step, int report) {
    return new StepProgress(step, null, null, null, report, 100, null);
  }

  @Test
  void twoStepsEmittingAtOnceGetDistinctSeqsAndKeepTheirOwnOrder() throws Exception {
    EventOutbox outbox = new EventOutbox(work.resolve("outbox"), codec);
    OutboxEventSink sink = sink(outbox);
    StepThreads.runAtOnce(
        List.of(Step.DUMP, Step.RESTORE),
        step -> {
          for (int report = 1; report <= 50; report++) {
            sink.emit(progress(step, report));
          }
        });

    List<Envelope<Event>> stored = new ArrayList<>();
    for (EventOutbox.Entry entry : outbox.pending()) {
      stored.add(outbox.read(entry));
    }
    assertThat(stored).hasSize(100);
    assertThat(stored.stream().map(Envelope::seq).toList()).isSorted().doesNotHaveDuplicates();
    for (Step step : List.of(Step.DUMP, Step.RESTORE)) {
      List<Integer> reports =
          stored.stream()
              .map(Envelope::payload)
              .map(StepProgress.class::cast)
              .filter(progress -> progress.step() == step)
              .map(StepProgress::tablesDone)
              .toList();
      assertThat(reports).as("%s's reports in the order it sent them", step).isSorted();
      assertThat(reports).hasSize(50);
    }
  }

  @Test
  void heartbeatsNameTheRunningStepThatStartedLast() {
    OutboxEventSink sink = sink(new EventOutbox(work.resolve("outbox"), codec));
    assertThat(sink.currentStep()).isNull();

    sink.emit(new StepStarted(Step.DUMP));
    assertThat(sink.currentStep()).isEqualTo(Step.DUMP);
    sink.emit(new StepStarted(Step.RESTORE));
    assertThat(sink.currentStep()).isEqualTo(Step.RESTORE);
    sink.emit(new StepSucceeded(Step.RESTORE, 10, null));
    assertThat(sink.currentStep()).as("DUMP still runs").isEqualTo(Step.DUMP);
    sink.emit(new StepFailed(Step.DUMP, "disk full", true));
    assertThat(sink.currentStep()).as("between steps: the last started").isEqualTo(Step.RESTORE);
  }
}
