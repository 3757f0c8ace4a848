package io.pgshuttle.agent.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.messages.MessageDecodingException;
import io.pgshuttle.messages.StartMigration;
import io.pgshuttle.messages.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An attempt's journal in one JSON file: the command (without the target password), the status, the
 * steps started and finished, the failure, and the steps' entries. Every change rewrites the file
 * durably (see {@link DurableFiles}) before the method returns. Methods are synchronized, so two
 * steps running alongside each other (and progress threads) may read and write at once, and writes
 * reach the file one whole state at a time; values must not be null.
 *
 * <p>File layout: {@code {"command": <envelope>, "status", "stepsStarted": [], "stepsFinished": [],
 * "failure": {...}, "reported": bool, "entries": {key: value}}}.
 */
public final class FileAttemptJournal implements AttemptJournal {
  private final Path file;
  private final ObjectMapper mapper;
  private final MessageCodec codec;
  private final ObjectNode root;

  private FileAttemptJournal(Path file, ObjectMapper mapper, MessageCodec codec, ObjectNode root) {
    this.file = file;
    this.mapper = mapper;
    this.codec = codec;
    this.root = root;
  }

  /** A new RUNNING journal for {@code command}, written to {@code file}. */
  static FileAttemptJournal create(
      Path file, ObjectMapper mapper, MessageCodec codec, Envelope<StartMigration> command) {
    ObjectNode root = mapper.createObjectNode();
    try {
      root.set("command", mapper.readTree(codec.encode(withoutPassword(command))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the command of " + file, e);
    }
    root.put("status", AttemptStatus.RUNNING.name());
    root.putArray("stepsStarted");
    root.putArray("stepsFinished");
    root.put("reported", false);
    root.putObject("entries");
    FileAttemptJournal journal = new FileAttemptJournal(file, mapper, codec, root);
    journal.save();
    return journal;
  }

  /** The journal in {@code file}. */
  static FileAttemptJournal read(Path file, ObjectMapper mapper, MessageCodec codec) {
    try {
      JsonNode root = mapper.readTree(file.toFile());
      if (!(root instanceof ObjectNode object) || !object.has("command")) {
        throw new IOException("not an attempt journal");
      }
      return new FileAttemptJournal(file, mapper, codec, object);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the attempt journal " + file, e);
    }
  }

  /** {@code command} with the target password removed, as it is stored. */
  static Envelope<StartMigration> withoutPassword(Envelope<StartMigration> command) {
    StartMigration start = command.payload();
    return command.withPayload(start.withTarget(start.target().withoutPassword()));
  }

  /** The command, without the target password. */
  public synchronized Envelope<StartMigration> command() {
    try {
      return codec.decode(mapper.writeValueAsBytes(root.get("command")), StartMigration.class);
    } catch (JsonProcessingException | MessageDecodingException e) {
      throw new IllegalStateException("corrupt command in the attempt journal " + file, e);
    }
  }

  public synchronized AttemptStatus status() {
    return AttemptStatus.valueOf(root.get("status").asText());
  }

  public synchronized List<Step> stepsStarted() {
    return steps("stepsStarted");
  }

  public synchronized List<Step> stepsFinished() {
    return steps("stepsFinished");
  }

  /** The recorded failure, if the attempt failed. */
  public synchronized Optional<AttemptFailure> failure() {
    JsonNode failure = root.get("failure");
    return failure == null ? Optional.empty() : Optional.of(convert(failure, AttemptFailure.class));
  }

  /** Whether the attempt's final event was handed to the event sink. */
  public synchronized boolean reported() {
    return root.path("reported").asBoolean(false);
  }

  synchronized void stepStarted(Step step) {
    ((ArrayNode) root.get("stepsStarted")).add(step.name());
    save();
  }

  synchronized void stepFinished(Step step) {
    ((ArrayNode) root.get("stepsFinished")).add(step.name());
    save();
  }

  /** Records the failure before the rollback runs, so a restart knows what was being undone. */
  synchronized void recordFailure(AttemptFailure failure) {
    root.set("failure", mapper.valueToTree(failure));
    save();
  }

  synchronized void finish(AttemptStatus status) {
    root.put("status", status.name());
    save();
  }

  synchronized void markReported() {
    root.put("reported", true);
    save();
  }

  @Override
  public synchronized void put(String key, Object value) {
    entries().set(key, mapper.valueToTree(value));
    save();
  }

  @Override
  public synchronized <T> Optional<T> get(String key, Class<T> type) {
    JsonNode value = entries().get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(convert(value, type));
  }

  @Override
  public synchronized void remove(String key) {
    if (entries().remove(key) != null) {
      save();
    }
  }

  private ObjectNode entries() {
    return (ObjectNode) root.get("entries");
  }

  private List<Step> steps(String field) {
    List<Step> steps = new ArrayList<>();
    root.get(field).forEach(step -> steps.add(Step.valueOf(step.asText())));
    return steps;
  }

  private <T> T convert(JsonNode value, Class<T> type) {
    try {
      return mapper.treeToValue(value, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "the attempt journal " + file + " holds no " + type.getSimpleName() + " there", e);
    }
  }

  private void save() {
    try {
      DurableFiles.write(file, mapper.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the attempt journal " + file, e);
    }
  }

  @Override
  public String toString() {
    return "journal " + file;
  }
}
