package io.pgshuttle.iaas.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The zonal part of the Compute Engine v1 REST API that the gcp provider uses, with the state of
 * one project, one zone and one VM: disks (CREATING → READY, DELETING), the VM's attached disks,
 * zone operations (RUNNING → DONE after {@link #POLLS_UNTIL_DONE} polls, DONE with an error), and
 * GCP's error bodies. Bodies follow the API reference (compute#disk, compute#operation,
 * compute#instance, compute#diskList). Answers every request through WireMock, so its request
 * journal records what went over the wire. Thread-safe: requests are served one at a time.
 */
final class FakeComputeApi implements ResponseDefinitionTransformerV2 {
  static final int POLLS_UNTIL_DONE = 1;
  static final int PAGE_SIZE = 2;
  static final String API = "https://www.googleapis.com/compute/v1/";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ZONAL =
      Pattern.compile("/compute/v1/projects/([^/]+)/zones/([^/]+)/(.+)");
  private static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern LABEL_KEY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9_-]{0,63}");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern FILTER_TERM =
      Pattern.compile("\\(labels\\.([a-z][a-z0-9_-]*) = \"([a-z0-9_-]*)\"\\)");
  private static final List<String> DISK_TYPES =
      List.of("pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced");

  private final String project;
  private final String zone;
  private final String vm;
  private final AtomicLong ids = new AtomicLong(4_000_000_000_000L);
  private final Map<String, StoredDisk> disks = new TreeMap<>();
  private final Map<String, String> attachedDevices = new LinkedHashMap<>();
  private final Map<String, FakeOperation> operations = new LinkedHashMap<>();
  private final Map<String, String> operationsByRequestId = new LinkedHashMap<>();
  private final List<Consumer<String>> attachListeners = new CopyOnWriteArrayList<>();
  private final List<InjectedError> injected = new ArrayList<>();
  private boolean operationsHeld;
  private boolean quotaExceededOnNextCreate;
  private boolean failNextCreation;
  private boolean loseNextMutationResponse;

  /** The errors the next request is answered with, in order. */
  private enum InjectedError {
    THROTTLE,
    DENY,
    SERVER_ERROR
  }

  FakeComputeApi(String project, String zone, String vm) {
    this.project = project;
    this.zone = zone;
    this.vm = vm;
  }

  /** A disk as the fake project holds it. */
  record StoredDisk(
      String name,
      long sizeGb,
      String type,
      Map<String, String> labels,
      String description,
      String status,
      List<String> users,
      long id) {
    StoredDisk withStatus(String newStatus) {
      return new StoredDisk(name, sizeGb, type, labels, description, newStatus, users, id);
    }

    StoredDisk withUsers(List<String> newUsers) {
      return new StoredDisk(name, sizeGb, type, labels, description, status, newUsers, id);
    }
  }

  /** A zone operation; {@code complete} applies its effect and says its error, if any. */
  private static final class FakeOperation {
    final String name;
    final String type;
    final String targetLink;
    final String insertTime = OffsetDateTime.now().toString();
    final Supplier<Optional<ObjectNode>> complete;
    int pollsLeft = POLLS_UNTIL_DONE;
    boolean done;
    Optional<ObjectNode> error = Optional.empty();

    FakeOperation(
        String name, String type, String targetLink, Supplier<Optional<ObjectNode>> complete) {
      this.name = name;
      this.type = type;
      this.targetLink = targetLink;
      this.complete = complete;
    }
  }

  @Override
  public String getName() {
    return "fake-compute-api";
  }

  // ---- controls, for the stand-in and the tests

  void onAttach(Consumer<String> devicePath) {
    attachListeners.add(devicePath);
  }

  synchronized void throttleNextCall() {
    injected.add(InjectedError.THROTTLE);
  }

  synchronized void denyNextCall() {
    injected.add(InjectedError.DENY);
  }

  synchronized void failNextCallWithServerError() {
    injected.add(InjectedError.SERVER_ERROR);
  }

  synchronized void exceedQuotaOnNextCreate() {
    quotaExceededOnNextCreate = true;
  }

  synchronized void failNextDiskCreation() {
    failNextCreation = true;
  }

  /** The next insert, attach, detach or delete is carried out, but its response is lost. */
  synchronized void loseNextMutationResponse() {
    loseNextMutationResponse = true;
  }

  /** Zone operations stay RUNNING while held. */
  synchronized void holdOperations(boolean held) {
    operationsHeld = held;
  }

  /** Forgets the requestIds seen, as GCP does after some time. */
  synchronized void forgetRequestIds() {
    operationsByRequestId.clear();
  }

  synchronized Optional<StoredDisk> disk(String name) {
    return Optional.ofNullable(disks.get(name));
  }

  synchronized List<StoredDisk> disks() {
    return List.copyOf(disks.values());
  }

  /** Device name by disk name, of the disks attached to the VM. */
  synchronized Map<String, String> attachedDevices() {
    return Map.copyOf(attachedDevices);
  }

  // ---- HTTP

  @Override
  public synchronized ResponseDefinition transform(ServeEvent serveEvent) {
    LoggedRequest request = serveEvent.getRequest();
    String path = request.getUrl().split("\\?", 2)[0];
    String method = request.getMethod().getName();
    if (!injected.isEmpty()) {
      return injectedFault(injected.remove(0), method, path);
    }
    Matcher zonal = ZONAL.matcher(path);
    if (!zonal.matches()) {
      return error(404, "notFound", "The requested URL " + path + " was not found.");
    }
    if (!zonal.group(1).equals(project)) {
      return error(404, "notFound", "The resource 'projects/" + zonal.group(1) + "' was not found");
    }
    if (!zonal.group(2).equals(zone)) {
      return error(
          400,
          "invalid",
          "Invalid value for field 'zone': '" + zonal.group(2) + "'. Unknown zone.");
    }
    String[] rest = zonal.group(3).split("/");
    boolean mutation = method.equals("POST") || method.equals("DELETE");
    ResponseDefinition answer = route(method, rest, request);
    if (mutation && loseNextMutationResponse) {
      loseNextMutationResponse = false;
      return ResponseDefinitionBuilder.responseDefinition()
          .withFault(Fault.CONNECTION_RESET_BY_PEER)
          .build();
    }
    return answer;
  }

  private ResponseDefinition route(String method, String[] rest, LoggedRequest request) {
    String collection = rest[0];
    if (collection.equals("disks") && rest.length == 1) {
      return switch (method) {
        case "POST" -> insertDisk(request);
        case "GET" -> listDisks(request);
        default -> methodNotAllowed();
      };
    }
    if (collection.equals("disks") && rest.length == 2) {
      return switch (method) {
        case "GET" -> getDisk(rest[1]);
        case "DELETE" -> deleteDisk(rest[1]);
        default -> methodNotAllowed();
      };
    }
    if (collection.equals("instances")) {
      if (!rest[1].equals(vm)) {
        return notFound("instances/" + rest[1]);
      }
      if (rest.length == 2 && method.equals("GET")) {
        return json(200, instance());
      }
      if (rest.length == 3 && method.equals("POST") && rest[2].equals("attachDisk")) {
        return attachDisk(request);
      }
      if (rest.length == 3 && method.equals("POST") && rest[2].equals("detachDisk")) {
        return detachDisk(request);
      }
    }
    if (collection.equals("operations") && rest.length == 2 && method.equals("GET")) {
      return getOperation(rest[1]);
    }
    return error(404, "notFound", "The requested URL was not found.");
  }

  private ResponseDefinition insertDisk(LoggedRequest request) {
    Optional<String> requestId = query(request, "requestId");
    if (requestId.isPresent() && !UUID.matcher(requestId.get()).matches()) {
      return invalid("requestId", requestId.get(), "Must be a valid UUID.");
    }
    if (requestId.isPresent() && operationsByRequestId.containsKey(requestId.get())) {
      return json(200, operationJson(operations.get(operationsByRequestId.get(requestId.get()))));
    }
    JsonNode body = body(request);
    String name = body.path("name").asText();
    if (!NAME.matcher(name).matches()) {
      return invalid("resource.name", name, "Must be a match of regex '" + NAME.pattern() + "'");
    }
    long sizeGb = body.path("sizeGb").asLong(0);
    if (sizeGb < 1) {
      return invalid("resource.sizeGb", body.path("sizeGb").asText(), "Must be at least 1.");
    }
    String type = body.path("type").asText();
    if (!knownDiskType(type)) {
      return invalid("resource.type", type, "The referenced diskType resource cannot be found.");
    }
    Map<String, String> labels = new TreeMap<>();
    for (var label : body.path("labels").properties()) {
      String value = label.getValue().asText();
      if (!LABEL_KEY.matcher(label.getKey()).matches() || !LABEL_VALUE.matcher(value).matches()) {
        return invalid(
            "resource.labels",
            label.getKey() + "=" + value,
            "Label keys and values may contain only lowercase letters, digits, '_' and '-', at"
                + " most 63 characters; keys start with a letter.");
      }
      labels.put(label.getKey(), value);
    }
    if (disks.containsKey(name)) {
      return error(409, "alreadyExists", "The resource '" + diskPath(name) + "' already exists");
    }
    StoredDisk disk =
        new StoredDisk(
            name,
            sizeGb,
            type,
            labels,
            body.path("description").asText(""),
            "CREATING",
            List.of(),
            ids.incrementAndGet());
    boolean quotaExceeded = quotaExceededOnNextCreate;
    boolean failed = failNextCreation;
    quotaExceededOnNextCreate = false;
    failNextCreation = false;
    if (!quotaExceeded) {
      disks.put(name, disk);
    }
    FakeOperation operation =
        start(
            "insert",
            API + diskPath(name),
            () -> {
              if (quotaExceeded) {
                return Optional.of(
                    operationError(
                        403,
                        "FORBIDDEN",
                        "QUOTA_EXCEEDED",
                        "Quota 'DISKS_TOTAL_GB' exceeded.  Limit: 4096.0 in region "
                            + zone.substring(0, zone.lastIndexOf('-'))
                            + "."));
              }
              disks.computeIfPresent(name, (n, d) -> d.withStatus(failed ? "FAILED" : "READY"));
              return Optional.empty();
            });
    requestId.ifPresent(id -> operationsByRequestId.put(id, operation.name));
    return json(200, operationJson(operation));
  }

  private boolean knownDiskType(String type) {
    String prefix = "projects/" + project + "/zones/" + zone + "/diskTypes/";
    String partial = type.startsWith(API) ? type.substring(API.length()) : type;
    return partial.startsWith(prefix) && DISK_TYPES.contains(partial.substring(prefix.length()));
  }

  private ResponseDefinition listDisks(LoggedRequest request) {
    Optional<String> filter = query(request, "filter");
    Map<String, String> wanted = new TreeMap<>();
    if (filter.isPresent()) {
      Matcher term = FILTER_TERM.matcher(filter.get());
      List<String> terms = new ArrayList<>();
      while (term.find()) {
        terms.add(term.group());
        wanted.put(term.group(1), term.group(2));
      }
      if (terms.isEmpty() || !String.join(" AND ", terms).equals(filter.get())) {
        return error(400, "invalid", "Invalid list filter expression '" + filter.get() + "'.");
      }
    }
    List<StoredDisk> matching =
        disks.values().stream()
            .filter(disk -> disk.labels().entrySet().containsAll(wanted.entrySet()))
            .toList();
    int from = query(request, "pageToken").map(Integer::parseInt).orElse(0);
    int to = Math.min(matching.size(), from + PAGE_SIZE);
    ObjectNode list = JSON.createObjectNode();
    list.put("kind", "compute#diskList");
    list.put("id", "projects/" + project + "/zones/" + zone + "/disks");
    ArrayNode items = list.putArray("items");
    matching.subList(from, to).forEach(disk -> items.add(diskJson(disk)));
    if (to < matching.size()) {
      list.put("nextPageToken", Integer.toString(to));
    }
    list.put("selfLink", API + "projects/" + project + "/zones/" + zone + "/disks");
    return json(200, list);
  }

  private ResponseDefinition getDisk(String name) {
    StoredDisk disk = disks.get(name);
    if (disk == null) {
      return notFound("disks/" + name);
    }
    if (disk.status().equals("CREATING")) {
      // Time passes for the disk too, not only for whoever polls its operation.
      operations.values().stream()
          .filter(operation -> !operation.done && operation.targetLink.endsWith("/disks/" + name))
          .findFirst()
          .ifPresent(this::advance);
    }
    return json(200, diskJson(disks.get(name)));
  }

  private ResponseDefinition deleteDisk(String name) {
    StoredDisk disk = disks.get(name);
    if (disk == null) {
      return notFound("disks/" + name);
    }
    if (!disk.users().isEmpty() || attachedDevices.containsKey(name)) {
      return inUse(name);
    }
    disks.put(name, disk.withStatus("DELETING"));
    return json(
        200,
        operationJson(
            start(
                "delete",
                API + diskPath(name),
                () -> {
                  disks.remove(name);
                  return Optional.empty();
                })));
  }

  private ResponseDefinition attachDisk(LoggedRequest request) {
    JsonNode body = body(request);
    String source = body.path("source").asText();
    String partial = source.startsWith(API) ? source.substring(API.length()) : source;
    String prefix = "projects/" + project + "/zones/" + zone + "/disks/";
    if (!partial.startsWith(prefix)) {
      return invalid("resource.source", source, "The disk must be in the instance's zone.");
    }
    String name = partial.substring(prefix.length());
    StoredDisk disk = disks.get(name);
    if (disk == null) {
      return notFound("disks/" + name);
    }
    if (!disk.status().equals("READY")) {
      return error(400, "resourceNotReady", "The resource '" + diskPath(name) + "' is not ready");
    }
    if (!disk.users().isEmpty() || attachedDevices.containsKey(name)) {
      return inUse(name);
    }
    String deviceName =
        body.hasNonNull("deviceName")
            ? body.path("deviceName").asText()
            : "persistent-disk-" + (attachedDevices.size() + 1);
    if (!NAME.matcher(deviceName).matches() || attachedDevices.containsValue(deviceName)) {
      return invalid("resource.deviceName", deviceName, "Device names must be unique and valid.");
    }
    attachedDevices.put(name, deviceName);
    return json(
        200,
        operationJson(
            start(
                "attachDisk",
                API + instancePath(),
                () -> {
                  disks.computeIfPresent(
                      name, (n, d) -> d.withUsers(List.of(API + instancePath())));
                  attachListeners.forEach(
                      listener -> listener.accept("/dev/disk/by-id/google-" + deviceName));
                  return Optional.empty();
                })));
  }

  private ResponseDefinition detachDisk(LoggedRequest request) {
    String deviceName = query(request, "deviceName").orElse("");
    Optional<String> name =
        attachedDevices.entrySet().stream()
            .filter(device -> device.getValue().equals(deviceName))
            .map(Map.Entry::getKey)
            .findFirst();
    if (name.isEmpty()) {
      return invalid(
          "deviceName", deviceName, "No attached disk found with device name '" + deviceName + "'");
    }
    return json(
        200,
        operationJson(
            start(
                "detachDisk",
                API + instancePath(),
                () -> {
                  attachedDevices.remove(name.get());
                  disks.computeIfPresent(name.get(), (n, d) -> d.withUsers(List.of()));
                  return Optional.empty();
                })));
  }

  private ResponseDefinition getOperation(String name) {
    FakeOperation operation = operations.get(name);
    if (operation == null) {
      return notFound("operations/" + name);
    }
    advance(operation);
    return json(200, operationJson(operation));
  }

  private FakeOperation start(
      String type, String targetLink, Supplier<Optional<ObjectNode>> complete) {
    String name = "operation-" + System.currentTimeMillis() + "-" + ids.incrementAndGet();
    FakeOperation operation = new FakeOperation(name, type, targetLink, complete);
    operations.put(name, operation);
    return operation;
  }

  private void advance(FakeOperation operation) {
    if (operation.done || operationsHeld) {
      return;
    }
    if (operation.pollsLeft > 0) {
      operation.pollsLeft--;
      return;
    }
    operation.error = operation.complete.get();
    operation.done = true;
  }

  private ResponseDefinition injectedFault(InjectedError fault, String method, String path) {
    return switch (fault) {
      case THROTTLE -> error(429, "rateLimitExceeded", "Rate Limit Exceeded");
      case SERVER_ERROR -> error(503, "backendError", "Backend Error");
      case DENY ->
          error(
              403,
              "forbidden",
              "Required '"
                  + permissionFor(method, path)
                  + "' permission for '"
                  + path.replaceFirst("^/compute/v1/", "")
                  + "'");
    };
  }

  private static String permissionFor(String method, String path) {
    if (path.endsWith("/attachDisk")) {
      return "compute.instances.attachDisk";
    }
    if (path.endsWith("/detachDisk")) {
      return "compute.instances.detachDisk";
    }
    if (path.contains("/operations/")) {
      return "compute.zoneOperations.get";
    }
    if (path.contains("/instances/")) {
      return "compute.instances.get";
    }
    return switch (method) {
      case "POST" -> "compute.disks.create";
      case "DELETE" -> "compute.disks.delete";
      default -> path.endsWith("/disks") ? "compute.disks.list" : "compute.disks.get";
    };
  }

  // ---- bodies

  private ObjectNode diskJson(StoredDisk disk) {
    ObjectNode json = JSON.createObjectNode();
    json.put("kind", "compute#disk");
    json.put("id", Long.toString(disk.id()));
    json.put("creationTimestamp", OffsetDateTime.now().toString());
    json.put("name", disk.name());
    json.put("description", disk.description());
    json.put("sizeGb", Long.toString(disk.sizeGb()));
    json.put("zone", API + "projects/" + project + "/zones/" + zone);
    json.put("status", disk.status());
    json.put("selfLink", API + diskPath(disk.name()));
    json.put("type", disk.type().startsWith(API) ? disk.type() : API + disk.type());
    json.set("labels", JSON.valueToTree(disk.labels()));
    json.put("labelFingerprint", Integer.toHexString(disk.labels().hashCode()));
    json.put("physicalBlockSizeBytes", "4096");
    if (!disk.users().isEmpty()) {
      json.set("users", JSON.valueToTree(disk.users()));
    }
    return json;
  }

  private ObjectNode instance() {
    ObjectNode json = JSON.createObjectNode();
    json.put("kind", "compute#instance");
    json.put("id", "7000000000000000001");
    json.put("name", vm);
    json.put("zone", API + "projects/" + project + "/zones/" + zone);
    json.put("status", "RUNNING");
    json.put(
        "machineType", API + "projects/" + project + "/zones/" + zone + "/machineTypes/e2-medium");
    json.put("selfLink", API + instancePath());
    ArrayNode attached = json.putArray("disks");
    ObjectNode boot = attached.addObject();
    boot.put("kind", "compute#attachedDisk");
    boot.put("type", "PERSISTENT");
    boot.put("mode", "READ_WRITE");
    boot.put("source", API + diskPath(vm));
    boot.put("deviceName", "persistent-disk-0");
    boot.put("index", 0);
    boot.put("boot", true);
    boot.put("autoDelete", true);
    boot.put("interface", "SCSI");
    int index = 1;
    for (Map.Entry<String, String> device : attachedDevices.entrySet()) {
      StoredDisk disk = disks.get(device.getKey());
      if (disk == null || disk.users().isEmpty()) {
        continue; // its attach operation has not finished
      }
      ObjectNode entry = attached.addObject();
      entry.put("kind", "compute#attachedDisk");
      entry.put("type", "PERSISTENT");
      entry.put("mode", "READ_WRITE");
      entry.put("source", API + diskPath(device.getKey()));
      entry.put("deviceName", device.getValue());
      entry.put("index", index++);
      entry.put("boot", false);
      entry.put("autoDelete", false);
      entry.put("interface", "SCSI");
      entry.put("diskSizeGb", Long.toString(disk.sizeGb()));
    }
    return json;
  }

  private ObjectNode operationJson(FakeOperation operation) {
    ObjectNode json = JSON.createObjectNode();
    json.put("kind", "compute#operation");
    json.put("id", Long.toString(Math.abs(operation.name.hashCode())));
    json.put("name", operation.name);
    json.put("zone", API + "projects/" + project + "/zones/" + zone);
    json.put("operationType", operation.type);
    json.put("targetLink", operation.targetLink);
    json.put("user", "pgshuttle@" + project + ".iam.gserviceaccount.com");
    json.put("insertTime", operation.insertTime);
    json.put("startTime", operation.insertTime);
    json.put("status", operation.done ? "DONE" : "RUNNING");
    json.put("progress", operation.done ? 100 : 0);
    json.put(
        "selfLink",
        API + "projects/" + project + "/zones/" + zone + "/operations/" + operation.name);
    if (operation.done) {
      json.put("endTime", OffsetDateTime.now().toString());
      operation.error.ifPresent(json::setAll);
    }
    return json;
  }

  private static ObjectNode operationError(
      int status, String statusMessage, String code, String message) {
    ObjectNode fields = JSON.createObjectNode();
    ObjectNode error = fields.putObject("error");
    ObjectNode entry = error.putArray("errors").addObject();
    entry.put("code", code);
    entry.put("message", message);
    fields.put("httpErrorStatusCode", status);
    fields.put("httpErrorMessage", statusMessage);
    return fields;
  }

  private ResponseDefinition notFound(String resource) {
    return error(
        404,
        "notFound",
        "The resource 'projects/"
            + project
            + "/zones/"
            + zone
            + "/"
            + resource
            + "' was not found");
  }

  private ResponseDefinition inUse(String name) {
    return error(
        400,
        "resourceInUseByAnotherResource",
        "The disk resource '"
            + diskPath(name)
            + "' is already being used by '"
            + instancePath()
            + "'");
  }

  private static ResponseDefinition invalid(String field, String value, String why) {
    return error(
        400, "invalid", "Invalid value for field '" + field + "': '" + value + "'. " + why);
  }

  private static ResponseDefinition methodNotAllowed() {
    return error(405, "httpMethodNotAllowed", "HTTP method not allowed for this resource.");
  }

  private static ResponseDefinition error(int status, String reason, String message) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("code", status);
    error.put("message", message);
    ObjectNode entry = error.putArray("errors").addObject();
    entry.put("message", message);
    entry.put("domain", status == 429 ? "usageLimits" : "global");
    entry.put("reason", reason);
    return json(status, body);
  }

  private static ResponseDefinition json(int status, JsonNode body) {
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("Content-Type", "application/json; charset=UTF-8")
        .withBody(body.toString())
        .build();
  }

  private String diskPath(String name) {
    return "projects/" + project + "/zones/" + zone + "/disks/" + name;
  }

  private String instancePath() {
    return "projects/" + project + "/zones/" + zone + "/instances/" + vm;
  }

  private static Optional<String> query(LoggedRequest request, String name) {
    QueryParameter parameter = request.queryParameter(name);
    return parameter.isPresent() ? Optional.of(parameter.firstValue()) : Optional.empty();
  }

  private static JsonNode body(LoggedRequest request) {
    try {
      return JSON.readTree(request.getBodyAsString());
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }
}
