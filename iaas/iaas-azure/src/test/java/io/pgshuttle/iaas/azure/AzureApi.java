package io.pgshuttle.iaas.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Azure Resource Manager API of one subscription with one VM, as far as managed disks go: an
 * in-memory model answering WireMock's requests with bodies shaped like the API reference's (the
 * api-versions the SDK sends: 2025-04-01 for VMs, 2025-01-02 for disks). Writes are long-running
 * operations: the first answer is 202 (disks) or 200 with a provisioning state of {@code Updating}
 * (VM), with an {@code Azure-AsyncOperation} URL that reports {@code InProgress} for a few polls,
 * then {@code Succeeded}, when the change takes effect. A read of the resource moves its operation
 * on too, as the real service's operations run whether or not anyone polls. Thread-safe (every
 * request is answered under the instance's lock).
 */
final class AzureApi implements ResponseDefinitionTransformerV2 {
  static final String BY_LUN = "/dev/disk/azure/data/by-lun/";

  private static final int POLLS_PER_OPERATION = 2;
  private static final Pattern DISK =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/disks/([^/]+)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern DISKS =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/disks",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern VM =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Compute/virtualMachines/([^/]+)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern OPERATION =
      Pattern.compile(
          "/subscriptions/([^/]+)/providers/Microsoft\\.Compute/locations/([^/]+)/(?:DiskOperations|operations)/([^/]+)",
          Pattern.CASE_INSENSITIVE);
  private static final Set<String> SKUS =
      Set.of(
          "Standard_LRS",
          "Premium_LRS",
          "StandardSSD_LRS",
          "UltraSSD_LRS",
          "Premium_ZRS",
          "StandardSSD_ZRS",
          "PremiumV2_LRS");
  private static final Set<String> ZONES = Set.of("1", "2", "3");

  private final ObjectMapper json = new ObjectMapper();
  private final String subscription;
  private final String diskGroup;
  private final String location;
  private final ObjectNode vm;
  private final Map<String, ObjectNode> disks = new LinkedHashMap<>();
  private final Map<String, Operation> operations = new HashMap<>();

  /** The operation running on each resource, by lower-case resource id. */
  private final Map<String, Operation> pending = new HashMap<>();

  private Consumer<String> onAttach = devicePath -> {};
  private boolean hangOperations;
  private boolean throttleNext;
  private boolean denyNext;
  private boolean quotaOnNextCreate;
  private boolean dropNextCreateResponse;
  private Optional<ObjectNode> failNextOperation = Optional.empty();

  /** One long-running operation; {@code complete} applies its change when it succeeds. */
  private static final class Operation {
    final String id = UUID.randomUUID().toString();
    final String resource;
    final String started = Instant.now().toString();
    final Runnable complete;
    final Runnable revert;
    final Optional<ObjectNode> error;
    int pollsLeft = POLLS_PER_OPERATION;
    String status = "InProgress";

    Operation(String resource, Runnable complete, Runnable revert, Optional<ObjectNode> error) {
      this.resource = resource;
      this.complete = complete;
      this.revert = revert;
      this.error = error;
    }
  }

  AzureApi(String subscription, String vmId, String location, String zone, String diskGroup) {
    this.subscription = subscription;
    this.diskGroup = diskGroup;
    this.location = location;
    this.vm = virtualMachine(vmId, zone);
  }

  @Override
  public String getName() {
    return "azure-resource-manager";
  }

  synchronized void onAttach(Consumer<String> devicePath) {
    this.onAttach = devicePath;
  }

  synchronized void hangOperations() {
    hangOperations = true;
  }

  synchronized void throttleNextCall() {
    throttleNext = true;
  }

  synchronized void denyNextCall() {
    denyNext = true;
  }

  synchronized void exceedQuotaOnNextCreate() {
    quotaOnNextCreate = true;
  }

  synchronized void dropResponseToNextCreate() {
    dropNextCreateResponse = true;
  }

  synchronized void failNextOperation(String code, String message) {
    failNextOperation = Optional.of(error(code, message));
  }

  /** The disks there are now, by name, as the API shows them. */
  synchronized Map<String, JsonNode> disks() {
    Map<String, JsonNode> copy = new LinkedHashMap<>();
    disks.values().forEach(disk -> copy.put(disk.get("name").asText(), disk.deepCopy()));
    return copy;
  }

  /** The VM's data disks now: LUN to managed disk id. */
  synchronized Map<Integer, String> vmDataDisks() {
    Map<Integer, String> luns = new LinkedHashMap<>();
    dataDisks().forEach(d -> luns.put(d.get("lun").asInt(), d.at("/managedDisk/id").asText()));
    return luns;
  }

  @Override
  public synchronized ResponseDefinition transform(ServeEvent event) {
    LoggedRequest request = event.getRequest();
    URI uri = URI.create(request.getAbsoluteUrl());
    String method = request.getMethod().getName();
    String path = uri.getPath();
    if (!request.queryParameter("api-version").isPresent()) {
      return answer(
          400,
          error(
              "MissingApiVersionParameter",
              "The api-version query parameter (?api-version=) is required for all requests."));
    }
    if (throttleNext) {
      throttleNext = false;
      return answer(
          429,
          error(
              "TooManyRequests",
              "The request is being throttled as the limit has been reached for operation group"
                  + " 'Get30Min'."));
    }
    if (denyNext) {
      denyNext = false;
      return answer(
          403,
          error(
              "AuthorizationFailed",
              "The client 'f1e2d3c4' with object id 'f1e2d3c4' does not have authorization to"
                  + " perform action '"
                  + roleAction(method, path)
                  + "' over scope '"
                  + path
                  + "' or the scope is invalid. If access was recently granted, please refresh"
                  + " your credentials."));
    }
    Matcher operation = OPERATION.matcher(path);
    if (operation.matches()) {
      return operationStatus(operation.group(3));
    }
    Matcher disk = DISK.matcher(path);
    if (disk.matches()) {
      return disk(method, disk.group(1), disk.group(2), disk.group(3), request, uri);
    }
    Matcher diskList = DISKS.matcher(path);
    if (diskList.matches() && method.equals("GET")) {
      return listDisks(diskList.group(1), diskList.group(2));
    }
    Matcher virtualMachine = VM.matcher(path);
    if (virtualMachine.matches()) {
      return virtualMachine(
          method, path, virtualMachine.group(2), virtualMachine.group(3), request, uri);
    }
    return answer(
        404, error("NotFound", "No route for " + method + " " + path + " in the stand-in"));
  }

  private ResponseDefinition disk(
      String method,
      String subscriptionId,
      String group,
      String name,
      LoggedRequest request,
      URI uri) {
    Optional<ResponseDefinition> missingGroup = checkGroup(subscriptionId, group);
    if (missingGroup.isPresent()) {
      return missingGroup.get();
    }
    ObjectNode disk = disks.get(name.toLowerCase(Locale.ROOT));
    switch (method) {
      case "GET":
        if (disk == null) {
          return answer(404, notFound("Microsoft.Compute/disks/" + name, group));
        }
        advance(disk);
        return answer(200, disk);
      case "PUT":
        return readBody(request)
            .map(body -> createDisk(group, name, disk, body, uri))
            .orElseGet(this::unreadable);
      case "DELETE":
        if (disk == null) {
          return ResponseDefinitionBuilder.responseDefinition().withStatus(204).build();
        }
        if (disk.has("managedBy")) {
          return answer(
              409,
              error(
                  "OperationNotAllowed",
                  "Disk " + name + " is attached to VM " + disk.get("managedBy").asText() + "."));
        }
        properties(disk).put("provisioningState", "Deleting");
        Operation deletion =
            start(
                disk,
                () -> disks.remove(name.toLowerCase(Locale.ROOT)),
                () -> properties(disk).put("provisioningState", "Succeeded"));
        return accepted(202, null, uri, "DiskOperations", deletion);
      default:
        return answer(405, error("MethodNotAllowed", method + " is not allowed on a disk"));
    }
  }

  private ResponseDefinition createDisk(
      String group, String name, ObjectNode existing, JsonNode body, URI uri) {
    if (quotaOnNextCreate) {
      quotaOnNextCreate = false;
      return answer(
          409,
          error(
              "OperationNotAllowed",
              "Operation could not be completed as it results in exceeding approved Total"
                  + " Regional Disks quota. Location: "
                  + location
                  + ", Current Limit: 50, Current Usage: 50, Additional Required: 1."));
    }
    String requestedLocation = body.path("location").asText();
    if (!requestedLocation.equalsIgnoreCase(location)) {
      return answer(
          400,
          error(
              "LocationNotAvailableForResourceType",
              "The provided location '"
                  + requestedLocation
                  + "' is not available for resource type 'Microsoft.Compute/disks'. List of"
                  + " available regions for the resource type is '"
                  + location
                  + "'."));
    }
    for (JsonNode zone : body.path("zones")) {
      if (!ZONES.contains(zone.asText())) {
        return answer(
            400,
            error(
                "InvalidParameter",
                "The value '"
                    + zone.asText()
                    + "' of parameter 'zones' is invalid. The zones of location '"
                    + location
                    + "' are 1, 2, 3.",
                "zones"));
      }
    }
    String sku = body.at("/sku/name").asText("Standard_LRS");
    if (!SKUS.contains(sku)) {
      return answer(
          400,
          error(
              "InvalidParameter",
              "The value '" + sku + "' of parameter 'sku.name' is invalid.",
              "sku.name"));
    }
    if (!"Empty".equals(body.at("/properties/creationData/createOption").asText())
        || body.at("/properties/diskSizeGB").asInt() < 1) {
      return answer(
          400,
          error(
              "InvalidParameter",
              "An empty disk needs creationData.createOption Empty and diskSizeGB of at least 1.",
              "disk.properties"));
    }
    if (existing != null) {
      existing.set("tags", body.path("tags").deepCopy());
      return answer(200, existing);
    }
    ObjectNode disk = json.createObjectNode();
    disk.put("name", name);
    disk.put(
        "id",
        "/subscriptions/"
            + subscription
            + "/resourceGroups/"
            + group
            + "/providers/Microsoft.Compute/disks/"
            + name);
    disk.put("type", "Microsoft.Compute/disks");
    disk.put("location", location);
    disk.set("tags", body.path("tags").deepCopy());
    if (body.has("zones")) {
      disk.set("zones", body.get("zones").deepCopy());
    }
    ObjectNode skuNode = disk.putObject("sku");
    skuNode.put("name", sku);
    skuNode.put("tier", sku.startsWith("Premium") ? "Premium" : "Standard");
    ObjectNode properties = disk.putObject("properties");
    properties.putObject("creationData").put("createOption", "Empty");
    int size = body.at("/properties/diskSizeGB").asInt();
    properties.put("diskSizeGB", size);
    properties.put("diskSizeBytes", size * (1L << 30));
    properties.put("uniqueId", UUID.randomUUID().toString());
    properties.put("timeCreated", Instant.now().toString());
    properties.put("networkAccessPolicy", "AllowAll");
    properties.putObject("encryption").put("type", "EncryptionAtRestWithPlatformKey");
    properties.put("provisioningState", "Updating");
    properties.put("diskState", "Unattached");
    disks.put(name.toLowerCase(Locale.ROOT), disk);
    Operation creation =
        start(
            disk,
            () -> properties.put("provisioningState", "Succeeded"),
            () -> disks.remove(name.toLowerCase(Locale.ROOT)));
    if (dropNextCreateResponse) {
      dropNextCreateResponse = false;
      return ResponseDefinitionBuilder.responseDefinition()
          .withFault(Fault.CONNECTION_RESET_BY_PEER)
          .build();
    }
    return accepted(202, disk, uri, "DiskOperations", creation);
  }

  private ResponseDefinition listDisks(String subscriptionId, String group) {
    Optional<ResponseDefinition> missingGroup = checkGroup(subscriptionId, group);
    if (missingGroup.isPresent()) {
      return missingGroup.get();
    }
    ObjectNode page = json.createObjectNode();
    ArrayNode value = page.putArray("value");
    disks.values().forEach(value::add);
    return answer(200, page);
  }

  private ResponseDefinition virtualMachine(
      String method, String path, String group, String name, LoggedRequest request, URI uri) {
    if (!path.equalsIgnoreCase(vm.get("id").asText())) {
      return answer(404, notFound("Microsoft.Compute/virtualMachines/" + name, group));
    }
    switch (method) {
      case "GET":
        advance(vm);
        return answer(200, vm);
      case "PATCH":
        return readBody(request)
            .map(body -> updateDataDisks(body.at("/properties/storageProfile/dataDisks"), uri))
            .orElseGet(this::unreadable);
      default:
        return answer(405, error("MethodNotAllowed", method + " is not supported by the stand-in"));
    }
  }

  private ResponseDefinition updateDataDisks(JsonNode wanted, URI uri) {
    if (pending.containsKey(lower(vm.get("id").asText()))) {
      return answer(
          409,
          error(
              "OperationNotAllowed",
              "Operation 'Update' is not allowed on VM '"
                  + vm.get("name").asText()
                  + "' since another operation is in progress on it. Retry after it completes."));
    }
    if (!wanted.isArray()) {
      return answer(
          400,
          error(
              "InvalidParameter",
              "The stand-in only updates properties.storageProfile.dataDisks.",
              "storageProfile"));
    }
    Map<String, JsonNode> before = new HashMap<>();
    dataDisks().forEach(d -> before.put(lower(d.at("/managedDisk/id").asText()), d));
    Set<Integer> luns = new HashSet<>();
    List<ObjectNode> after = new ArrayList<>();
    List<ObjectNode> attaching = new ArrayList<>();
    for (JsonNode entry : wanted) {
      String diskId = entry.at("/managedDisk/id").asText();
      int lun = entry.path("lun").asInt(-1);
      if (lun < 0 || lun > 63 || !luns.add(lun)) {
        return answer(
            400,
            error(
                "InvalidParameter",
                "LUN " + lun + " is out of range or used by more than one data disk.",
                "dataDisks.lun"));
      }
      JsonNode known = before.get(lower(diskId));
      if (known != null) {
        after.add((ObjectNode) known.deepCopy());
        continue;
      }
      ObjectNode disk = disks.get(lower(diskId.replaceAll(".*/", "")));
      if (disk == null || !disk.get("id").asText().equalsIgnoreCase(diskId)) {
        return answer(404, notFound("Microsoft.Compute/disks/" + diskId, diskGroup));
      }
      if (disk.has("managedBy")) {
        return answer(
            409,
            error(
                "OperationNotAllowed",
                "Disk "
                    + disk.get("name").asText()
                    + " is already attached to VM "
                    + disk.get("managedBy").asText()
                    + "."));
      }
      if (!"Attach".equals(entry.path("createOption").asText())) {
        return answer(
            400,
            error(
                "InvalidParameter",
                "An existing managed disk is added with createOption Attach.",
                "dataDisks.createOption"));
      }
      ObjectNode added = json.createObjectNode();
      added.put("lun", lun);
      added.put("name", disk.get("name").asText());
      added.put("createOption", "Attach");
      added.put("caching", entry.path("caching").asText("None"));
      added.put("writeAcceleratorEnabled", false);
      // Azure answers with the resource group of a disk's id in capitals.
      added
          .putObject("managedDisk")
          .put("storageAccountType", disk.at("/sku/name").asText())
          .put(
              "id",
              disk.get("id")
                  .asText()
                  .replace("/" + diskGroup + "/", "/" + diskGroup.toUpperCase(Locale.ROOT) + "/"));
      added.put("diskSizeGB", properties(disk).get("diskSizeGB").asInt());
      added.put("toBeDetached", false);
      after.add(added);
      attaching.add(added);
    }
    Set<String> kept = new HashSet<>();
    after.forEach(d -> kept.add(lower(d.at("/managedDisk/id").asText())));
    List<ObjectNode> detaching = new ArrayList<>();
    before.forEach(
        (id, d) -> {
          if (!kept.contains(id)) {
            detaching.add((ObjectNode) d);
          }
        });
    List<JsonNode> previous = new ArrayList<>(dataDisks());
    ArrayNode dataDisks = (ArrayNode) vm.at("/properties/storageProfile/dataDisks");
    dataDisks.removeAll();
    after.forEach(dataDisks::add);
    properties(vm).put("provisioningState", "Updating");
    Operation update =
        start(
            vm,
            () -> {
              for (ObjectNode added : attaching) {
                ObjectNode disk = disks.get(lower(added.get("name").asText()));
                disk.put("managedBy", vm.get("id").asText());
                properties(disk).put("diskState", "Attached");
                onAttach.accept(BY_LUN + added.get("lun").asInt());
              }
              for (ObjectNode removed : detaching) {
                ObjectNode disk = disks.get(lower(removed.get("name").asText()));
                if (disk != null) {
                  disk.remove("managedBy");
                  properties(disk).put("diskState", "Unattached");
                }
              }
              properties(vm).put("provisioningState", "Succeeded");
            },
            () -> {
              dataDisks.removeAll();
              previous.forEach(dataDisks::add);
              properties(vm).put("provisioningState", "Succeeded");
            });
    return accepted(200, vm, uri, "operations", update);
  }

  private Operation start(ObjectNode resource, Runnable complete, Runnable revert) {
    Operation operation =
        new Operation(lower(resource.get("id").asText()), complete, revert, failNextOperation);
    failNextOperation = Optional.empty();
    operations.put(operation.id, operation);
    pending.put(operation.resource, operation);
    return operation;
  }

  /** Moves on the operation running on {@code resource}, if one is. */
  private void advance(ObjectNode resource) {
    Operation operation = pending.get(lower(resource.get("id").asText()));
    if (operation != null) {
      advance(operation);
    }
  }

  private void advance(Operation operation) {
    if (hangOperations || !operation.status.equals("InProgress") || --operation.pollsLeft > 0) {
      return;
    }
    if (operation.error.isPresent()) {
      operation.revert.run();
      operation.status = "Failed";
    } else {
      operation.complete.run();
      operation.status = "Succeeded";
    }
    pending.remove(operation.resource);
  }

  private ResponseDefinition operationStatus(String id) {
    Operation operation = operations.get(id);
    if (operation == null) {
      return answer(404, error("NotFound", "No operation " + id));
    }
    advance(operation);
    ObjectNode status = json.createObjectNode();
    status.put("startTime", operation.started);
    status.put("status", operation.status);
    status.put("name", operation.id);
    if (!operation.status.equals("InProgress")) {
      status.put("endTime", Instant.now().toString());
    }
    operation.error.ifPresent(error -> status.set("error", error.get("error")));
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(200)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("Retry-After", "0")
        .withBody(write(status))
        .build();
  }

  private Optional<ResponseDefinition> checkGroup(String subscriptionId, String group) {
    if (!subscriptionId.equalsIgnoreCase(subscription)) {
      return Optional.of(
          answer(
              404,
              error(
                  "SubscriptionNotFound",
                  "The subscription '" + subscriptionId + "' could not be found.")));
    }
    if (!group.equalsIgnoreCase(diskGroup)) {
      return Optional.of(
          answer(
              404,
              error(
                  "ResourceGroupNotFound", "Resource group '" + group + "' could not be found.")));
    }
    return Optional.empty();
  }

  private ResponseDefinition accepted(
      int status, ObjectNode body, URI uri, String kind, Operation operation) {
    String monitor =
        uri.getScheme()
            + "://"
            + uri.getAuthority()
            + "/subscriptions/"
            + subscription
            + "/providers/Microsoft.Compute/locations/"
            + location
            + "/"
            + kind
            + "/"
            + operation.id
            + "?"
            + uri.getQuery();
    ResponseDefinitionBuilder response =
        ResponseDefinitionBuilder.responseDefinition()
            .withStatus(status)
            .withHeader("Azure-AsyncOperation", monitor)
            .withHeader("Location", monitor + "&monitor=true")
            .withHeader("Retry-After", "0");
    if (body != null) {
      response.withHeader("Content-Type", "application/json; charset=utf-8").withBody(write(body));
    }
    return response.build();
  }

  private ResponseDefinition answer(int status, JsonNode body) {
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("Content-Type", "application/json; charset=utf-8")
        .withHeader("x-ms-request-id", UUID.randomUUID().toString())
        .withBody(write(body))
        .build();
  }

  private ObjectNode notFound(String resource, String group) {
    return error(
        "ResourceNotFound",
        "The Resource '"
            + resource
            + "' under resource group '"
            + group
            + "' was not found. For more details please go to"
            + " https://aka.ms/ARMResourceNotFoundFix");
  }

  private ObjectNode error(String code, String message) {
    ObjectNode body = json.createObjectNode();
    body.putObject("error").put("code", code).put("message", message);
    return body;
  }

  private ObjectNode error(String code, String message, String target) {
    ObjectNode body = error(code, message);
    ((ObjectNode) body.get("error")).put("target", target);
    return body;
  }

  private static String roleAction(String method, String path) {
    String type =
        VM.matcher(path).matches()
            ? "Microsoft.Compute/virtualMachines"
            : "Microsoft.Compute/disks";
    return type
        + switch (method) {
          case "GET" -> "/read";
          case "DELETE" -> "/delete";
          default -> "/write";
        };
  }

  private List<JsonNode> dataDisks() {
    List<JsonNode> list = new ArrayList<>();
    vm.at("/properties/storageProfile/dataDisks").forEach(list::add);
    return list;
  }

  private ObjectNode virtualMachine(String vmId, String zone) {
    ObjectNode machine = json.createObjectNode();
    String group = vmId.replaceAll(".*/resourceGroups/([^/]+)/.*", "$1");
    String name = vmId.replaceAll(".*/", "");
    machine.put("name", name);
    machine.put("id", vmId);
    machine.put("type", "Microsoft.Compute/virtualMachines");
    machine.put("location", location);
    machine.putArray("zones").add(zone);
    ObjectNode properties = machine.putObject("properties");
    properties.put("vmId", UUID.randomUUID().toString());
    properties.putObject("hardwareProfile").put("vmSize", "Standard_D4s_v5");
    ObjectNode storage = properties.putObject("storageProfile");
    ObjectNode osDisk = storage.putObject("osDisk");
    osDisk.put("osType", "Linux");
    osDisk.put("name", name + "_OsDisk_1");
    osDisk.put("createOption", "FromImage");
    osDisk.put("caching", "ReadWrite");
    osDisk
        .putObject("managedDisk")
        .put("storageAccountType", "Premium_LRS")
        .put(
            "id",
            "/subscriptions/"
                + subscription
                + "/resourceGroups/"
                + group.toUpperCase(Locale.ROOT)
                + "/providers/Microsoft.Compute/disks/"
                + name
                + "_OsDisk_1");
    osDisk.put("diskSizeGB", 30);
    // BOSH's persistent disk, at LUN 0: the auxiliary disk must go elsewhere and leave it be.
    ObjectNode persistent = storage.putArray("dataDisks").addObject();
    persistent.put("lun", 0);
    persistent.put("name", name + "-persistent");
    persistent.put("createOption", "Attach");
    persistent.put("caching", "ReadOnly");
    persistent.put("writeAcceleratorEnabled", false);
    persistent
        .putObject("managedDisk")
        .put("storageAccountType", "Premium_LRS")
        .put(
            "id",
            "/subscriptions/"
                + subscription
                + "/resourceGroups/"
                + group.toUpperCase(Locale.ROOT)
                + "/providers/Microsoft.Compute/disks/"
                + name
                + "-persistent");
    persistent.put("diskSizeGB", 64);
    persistent.put("toBeDetached", false);
    properties
        .putObject("networkProfile")
        .putArray("networkInterfaces")
        .addObject()
        .put(
            "id",
            "/subscriptions/"
                + subscription
                + "/resourceGroups/"
                + group
                + "/providers/Microsoft.Network/networkInterfaces/"
                + name
                + "-nic");
    properties.put("provisioningState", "Succeeded");
    return machine;
  }

  private static ObjectNode properties(ObjectNode resource) {
    return (ObjectNode) resource.get("properties");
  }

  private static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }

  /** The request's JSON body, empty if it has none that parses. */
  private Optional<JsonNode> readBody(LoggedRequest request) {
    try {
      String body = request.getBodyAsString();
      return body == null || body.isBlank() ? Optional.empty() : Optional.of(json.readTree(body));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  private ResponseDefinition unreadable() {
    return answer(
        400,
        error("InvalidRequestContent", "The request content was invalid and could not be read."));
  }

  private static String write(JsonNode body) {
    return body.toString();
  }
}
