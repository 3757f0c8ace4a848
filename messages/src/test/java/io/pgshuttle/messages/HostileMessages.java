package io.pgshuttle.messages;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.BiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Wire messages for property-based tests: a valid message of every type, and the same after up to
 * three mutations each — byte flips, truncation, a field removed, duplicated or given a value of
 * another JSON type, deep nesting, huge or hostile strings, an unknown type, a wrong version — plus
 * random and oversized bodies. Shared with other modules' tests through the test-jar. Stateless and
 * thread-safe.
 */
public final class HostileMessages {
  /** The target password every sample carries, to check that it is never shown. */
  public static final String PASSWORD = "hostile-Secret-9";

  /** Strings that are SQL, shell, path, routing-key or conninfo syntax, or odd text. */
  public static final List<String> HOSTILE_STRINGS =
      List.of(
          "x\"; DROP DATABASE y; --",
          "it's",
          "back\\slash",
          "new\nline",
          "nul\u0000byte",
          "../../etc/passwd",
          "vm.1.#.*",
          "$(touch /tmp/pwned)",
          "host=evil dbname=postgres",
          "Ünïcødé 数据 \uD83D\uDE00",
          "\uD800",
          "",
          " ");

  private static final MessageCodec CODEC = new MessageCodec();
  private static final ObjectMapper MAPPER = MessageCodec.newObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final List<BiFunction<byte[], Random, byte[]>> MUTATIONS =
      List.of(
          HostileMessages::flipBytes,
          HostileMessages::truncate,
          tree(HostileMessages::removeField),
          tree(HostileMessages::swapType),
          tree(HostileMessages::hostileString),
          tree(HostileMessages::hugeString),
          tree(HostileMessages::unknownType),
          tree(HostileMessages::wrongVersion),
          HostileMessages::duplicateField,
          HostileMessages::deepNesting);

  private HostileMessages() {}

  /** One valid envelope of every payload type. */
  public static List<Envelope<?>> samples() {
    MigrationId id = MigrationId.forRequest("hostile");
    TargetServer target =
        new TargetServer("db.example", 5432, "admin", Secret.of(PASSWORD), SslMode.VERIFY_FULL);
    MigrationOptions options = new MigrationOptions(2, 3, false, VerifyLevel.FULL);
    List<Payload> payloads =
        List.of(
            new MigrationRequest("req-1", "vm-1", List.of("app", "Grüße"), target, options),
            new StartMigration("vm-1", List.of("app"), target, options, 7),
            new CancelMigration("vm-1", "wrong target"),
            new SweepLeftovers("vm-1", UUID.randomUUID(), List.of(new EndedMigration(id, target))),
            new StepStarted(Step.DUMP),
            new StepProgress(Step.DUMP, 50.0, 10L, 20L, 1, 2, "public.t"),
            new StepSucceeded(Step.VERIFY, 1200, "3 tables equal"),
            new StepFailed(Step.RESTORE, "target refused", true),
            new AttemptFailed(Step.RESTORE, "target refused", true, List.of("drop failed")),
            new MigrationSucceeded(List.of("app"), "ok"),
            new MigrationFailed("no agent for instance vm-1"),
            new MigrationCancelled("wrong target"),
            new AgentHeartbeat(Step.DUMP),
            new LeftoversSwept(
                UUID.randomUUID(),
                List.of(new Leftover(Leftover.Kind.DISK, "vol-1", id, null)),
                List.of(),
                List.of(id)));
    List<Envelope<?>> samples = new ArrayList<>();
    for (Payload payload : payloads) {
      samples.add(
          payload instanceof MigrationRequest request
              ? Envelope.ofRequest(request)
              : Envelope.of("vm-1", id, 1, samples.size(), payload));
    }
    return samples;
  }

  /** Bodies: about one in eight valid, the rest mutated, random or oversized. */
  public static Arbitrary<byte[]> bodies() {
    return bodies(Payload.class);
  }

  /** Bodies as {@link #bodies()}, made from the samples whose payload is a {@code type} only. */
  public static Arbitrary<byte[]> bodies(Class<? extends Payload> type) {
    List<byte[]> valid =
        samples().stream()
            .filter(sample -> type.isInstance(sample.payload()))
            .<byte[]>map(CODEC::encode)
            .toList();
    return Arbitraries.randomValue(random -> body(valid, random));
  }

  private static byte[] body(List<byte[]> valid, Random random) {
    int kind = random.nextInt(40);
    if (kind == 0) {
      byte[] noise = new byte[random.nextInt(2000)];
      random.nextBytes(noise);
      return noise;
    }
    if (kind == 1) {
      return new byte[MessageCodec.MAX_MESSAGE_BYTES + 1 + random.nextInt(1000)];
    }
    byte[] body = valid.get(random.nextInt(valid.size()));
    if (kind < 7) {
      return body;
    }
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      body = MUTATIONS.get(random.nextInt(MUTATIONS.size())).apply(body, random);
    }
    return body;
  }

  private static byte[] flipBytes(byte[] body, Random random) {
    byte[] flipped = body.clone();
    int flips = 1 + random.nextInt(8);
    for (int i = 0; i < flips && flipped.length > 0; i++) {
      flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
    }
    return flipped;
  }

  private static byte[] truncate(byte[] body, Random random) {
    return Arrays.copyOf(body, random.nextInt(body.length + 1));
  }

  /** {@code "key": value, } repeated right after an object's opening brace, with another value. */
  private static byte[] duplicateField(byte[] body, Random random) {
    String text = new String(body, UTF_8);
    List<Integer> braces = new ArrayList<>();
    for (int i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
      braces.add(i);
    }
    if (braces.isEmpty()) {
      return body;
    }
    String[] keys = {"type", "version", "instanceId", "body", "databases", "target", "password"};
    int at = braces.get(random.nextInt(braces.size())) + 1;
    String duplicate =
        "\"" + keys[random.nextInt(keys.length)] + "\":" + randomValue(random).toString() + ",";
    return (text.substring(0, at) + duplicate + text.substring(at)).getBytes(UTF_8);
  }

  /** A value of the message wrapped in up to 3,000 arrays or objects. */
  private static byte[] deepNesting(byte[] body, Random random) {
    String text = new String(body, UTF_8);
    int colon = text.indexOf(':', random.nextInt(Math.max(1, text.length())));
    if (colon < 0) {
      return body;
    }
    int depth = 1 + random.nextInt(3000);
    boolean arrays = random.nextBoolean();
    String open = arrays ? "[" : "{\"a\":";
    String close = arrays ? "]" : "}";
    int end = valueEnd(text, colon + 1);
    return (text.substring(0, colon + 1)
            + open.repeat(depth)
            + text.substring(colon + 1, end)
            + close.repeat(depth)
            + text.substring(end))
        .getBytes(UTF_8);
  }

  /** Where a scalar value starting at {@code start} ends, roughly: mutations need not be exact. */
  private static int valueEnd(String text, int start) {
    int end = start;
    while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    return end;
  }

  private static void removeField(ObjectNode root, Random random) {
    ObjectNode object = randomObject(root, random);
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    if (!names.isEmpty()) {
      object.remove(names.get(random.nextInt(names.size())));
    }
  }

  private static void swapType(ObjectNode root, Random random) {
    ObjectNode object = randomObject(root, random);
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    if (!names.isEmpty()) {
      object.set(names.get(random.nextInt(names.size())), randomValue(random));
    }
  }

  private static void hostileString(ObjectNode root, Random random) {
    replaceText(root, random, HOSTILE_STRINGS.get(random.nextInt(HOSTILE_STRINGS.size())));
  }

  private static void hugeString(ObjectNode root, Random random) {
    int[] lengths = {
      MessageCodec.MAX_STRING_CHARS - 1, MessageCodec.MAX_STRING_CHARS + 1, 10_000, 700_000
    };
    char filler = (char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0xD7FF));
    replaceText(
        root, random, String.valueOf(filler).repeat(lengths[random.nextInt(lengths.length)]));
  }

  private static void unknownType(ObjectNode root, Random random) {
    String[] types = {"DropDatabase", "migrationrequest", "", "io.pgshuttle.messages.Payload"};
    root.put("type", types[random.nextInt(types.length)]);
  }

  private static void wrongVersion(ObjectNode root, Random random) {
    JsonNode[] versions = {
      NODES.numberNode(0),
      NODES.numberNode(2),
      NODES.numberNode(-1),
      NODES.numberNode(Long.MAX_VALUE),
      NODES.numberNode(new BigInteger("1" + "0".repeat(40))),
      NODES.numberNode(1.5),
      NODES.textNode("1"),
      NODES.nullNode()
    };
    root.set("version", versions[random.nextInt(versions.length)]);
  }

  private static void replaceText(ObjectNode root, Random random, String text) {
    List<ObjectNode> owners = new ArrayList<>();
    List<String> names = new ArrayList<>();
    collectTextFields(root, owners, names);
    if (!owners.isEmpty()) {
      int pick = random.nextInt(owners.size());
      owners.get(pick).put(names.get(pick), text);
    }
  }

  private static void collectTextFields(
      JsonNode node, List<ObjectNode> owners, List<String> names) {
    if (node instanceof ObjectNode object) {
      object
          .fields()
          .forEachRemaining(
              field -> {
                if (field.getValue().isTextual()) {
                  owners.add(object);
                  names.add(field.getKey());
                } else {
                  collectTextFields(field.getValue(), owners, names);
                }
              });
    } else if (node instanceof ArrayNode array) {
      array.forEach(element -> collectTextFields(element, owners, names));
    }
  }

  private static ObjectNode randomObject(ObjectNode root, Random random) {
    List<ObjectNode> objects = new ArrayList<>();
    collectObjects(root, objects);
    return objects.get(random.nextInt(objects.size()));
  }

  private static void collectObjects(JsonNode node, List<ObjectNode> objects) {
    if (node instanceof ObjectNode object) {
      objects.add(object);
    }
    node.forEach(child -> collectObjects(child, objects));
  }

  private static JsonNode randomValue(Random random) {
    switch (random.nextInt(10)) {
      case 0:
        return NODES.nullNode();
      case 1:
        return NODES.booleanNode(random.nextBoolean());
      case 2:
        return NODES.numberNode(random.nextInt());
      case 3:
        return NODES.numberNode(random.nextDouble() * 1e300);
      case 4:
        return NODES.numberNode(new BigInteger(200, random));
      case 5:
        return NODES.arrayNode().add(random.nextInt()).add("x");
      case 6:
        return NODES.objectNode().put("password", PASSWORD);
      case 7:
        return NODES.textNode(UUID.randomUUID().toString());
      case 8:
        return NODES.textNode(HOSTILE_STRINGS.get(random.nextInt(HOSTILE_STRINGS.size())));
      default:
        return NODES.textNode("2024-05-01T12:00:00Z");
    }
  }

  /** A mutation of the parsed message; bodies that are no longer JSON pass through unchanged. */
  private interface TreeMutation {
    void mutate(ObjectNode root, Random random);
  }

  private static BiFunction<byte[], Random, byte[]> tree(TreeMutation mutation) {
    return (body, random) -> {
      JsonNode root;
      try {
        root = MAPPER.readTree(body);
      } catch (IOException notJson) {
        return body;
      }
      if (!(root instanceof ObjectNode object)) {
        return body;
      }
      mutation.mutate(object, random);
      try {
        return MAPPER.writeValueAsBytes(object);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write a JSON tree just read", e);
      }
    };
  }
}
