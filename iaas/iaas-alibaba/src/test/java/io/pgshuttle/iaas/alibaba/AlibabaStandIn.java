package io.pgshuttle.iaas.alibaba;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.iaas.DiskProvisionerContract.CloudFaults;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A stand-in of the ECS API (version 2014-05-26) for cloud disks, on WireMock: one region, one zone
 * and one ECS instance, {@link #VM_ID}. It answers CreateDisk, DescribeDisks, AttachDisk,
 * DetachDisk and DeleteDisk with the JSON bodies and error codes of ECS's API reference, and keeps
 * the disks in memory. Like ECS, it answers at once and lets the work happen later: a disk is
 * Creating, Attaching or Detaching for one DescribeDisks that shows it, then Available or In_use.
 * It honours ClientToken, Tag.N filters, MaxResults/NextToken paging, and refuses unsigned calls.
 * Requests arrive in either of the SDK's styles: V3 (action in {@code x-acs-action}, parameters in
 * the query) or RPC (Action in the query or form). Thread-safe.
 *
 * <p>Use: {@link #settings()} as {@code agent.iaasSettings} with provider {@code alibaba}, and
 * {@link #environment()} in the agent's environment (the SDK takes its credentials from there).
 * Registered for {@link java.util.ServiceLoader} as a {@link CloudStandIn}.
 */
public final class AlibabaStandIn implements CloudStandIn {
  public static final String REGION_ID = "cn-hangzhou";
  public static final String ZONE_ID = "cn-hangzhou-k";
  public static final String VM_ID = "i-bp1pgshuttlestandin";
  public static final String ACCESS_KEY_ID = "pgshuttle-stand-in-key";
  public static final String ACCESS_KEY_SECRET = "pgshuttle-stand-in-secret";

  private static final Map<String, int[]> SIZE_RANGE_BY_CATEGORY =
      Map.of(
          "cloud", new int[] {5, 2000},
          "cloud_efficiency", new int[] {20, 32768},
          "cloud_ssd", new int[] {20, 32768},
          "cloud_essd", new int[] {20, 65536},
          "cloud_auto", new int[] {1, 65536},
          "cloud_essd_entry", new int[] {10, 32768});

  private final ObjectMapper json = new ObjectMapper();
  private final FakeEcs ecs = new FakeEcs();
  private final List<Consumer<String>> attachListeners = new CopyOnWriteArrayList<>();
  private final WireMockServer server;

  /** Starts the stand-in on a free port of 127.0.0.1. */
  public AlibabaStandIn() {
    server =
        new WireMockServer(
            wireMockConfig().dynamicPort().bindAddress("127.0.0.1").extensions(new EcsApi()));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok()));
  }

  @Override
  public String providerId() {
    return AlibabaDiskProvisionerProvider.ID;
  }

  @Override
  public Map<String, String> settings() {
    return Map.of(
        "endpoint",
        "http://127.0.0.1:" + server.port(),
        "vmId",
        VM_ID,
        "regionId",
        REGION_ID,
        "zoneId",
        ZONE_ID,
        "pollInterval",
        "PT0.01S",
        "operationTimeout",
        "PT20S");
  }

  /** Dummy AccessKey for the SDK's credential chain; no look-ups of metadata or profiles. */
  @Override
  public Map<String, String> environment() {
    return Map.of(
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ACCESS_KEY_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ACCESS_KEY_SECRET,
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
        "true",
        "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
        "true");
  }

  /** Called with {@code /dev/disk/by-id/virtio-<serial>} as each attach completes. */
  @Override
  public void onAttach(Consumer<String> devicePath) {
    attachListeners.add(devicePath);
  }

  @Override
  public List<String> diskIds() {
    return List.copyOf(ecs.statuses().keySet());
  }

  /** The errors of the contract suite. */
  public CloudFaults faults() {
    return new CloudFaults() {
      @Override
      public void throttleNextCall() {
        ecs.plan(
            new PlannedFault(
                null, 400, "Throttling.User", "Request was denied due to user flow control."));
      }

      @Override
      public void denyNextCall() {
        ecs.plan(
            new PlannedFault(
                null,
                403,
                "Forbidden.RAM",
                "User not authorized to operate on the specified resource, or this API doesn't"
                    + " support RAM."));
      }

      @Override
      public void exceedQuotaOnNextCreate() {
        ecs.plan(
            new PlannedFault(
                "CreateDisk",
                403,
                "QuotaExceed.PostPaidDisk",
                "Living postPaid disks quota exceeded."));
      }
    };
  }

  /** The next call of {@code action} is answered with this ECS error. */
  public void failNextCall(String action, int status, String code, String message) {
    ecs.plan(new PlannedFault(action, status, code, message));
  }

  /** The next call of {@code action} is carried out, but its answer is lost (connection reset). */
  public void loseNextAnswer(String action) {
    ecs.plan(new PlannedFault(action, 0, null, null));
  }

  /** While true, attaching disks stay Attaching. */
  public void holdAttachments(boolean hold) {
    ecs.holdAttachments(hold);
  }

  /** Attaches a disk to another instance, as someone else would. */
  public void attachElsewhere(String diskId, String instanceId) {
    ecs.attachElsewhere(diskId, instanceId);
  }

  /** Disk id to status, of every disk there is. */
  public Map<String, String> diskStatuses() {
    return ecs.statuses();
  }

  /** The parameters of every call of {@code action} so far, from WireMock's request journal. */
  public List<Map<String, String>> calls(String action) {
    List<Map<String, String>> calls = new ArrayList<>();
    for (var request : server.findAll(RequestPatternBuilder.allRequests())) {
      Map<String, String> parameters = parameters(request);
      if (action.equals(parameters.get("Action"))) {
        calls.add(parameters);
      }
    }
    return calls;
  }

  /** For {@code verify} of what went over the wire. */
  public WireMockServer wireMock() {
    return server;
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Everything the SDK sent: query, form body, and the action from the header of V3 calls. */
  static Map<String, String> parameters(Request request) {
    Map<String, String> parameters = new LinkedHashMap<>();
    String url = request.getUrl();
    int query = url.indexOf('?');
    if (query >= 0) {
      decodeInto(url.substring(query + 1), parameters);
    }
    String contentType = request.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
      decodeInto(request.getBodyAsString(), parameters);
    }
    String action = request.getHeader("x-acs-action");
    if (action != null) {
      parameters.putIfAbsent("Action", action);
    }
    return parameters;
  }

  private static void decodeInto(String encoded, Map<String, String> into) {
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      into.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
  }

  /** An error planned for the next call of an action (any action when null). */
  private record PlannedFault(String action, int status, String code, String message) {
    boolean losesAnswer() {
      return code == null;
    }

    boolean matches(String calledAction) {
      return action == null || action.equals(calledAction);
    }
  }

  /** An ECS error answer. */
  private static final class EcsError extends RuntimeException {
    final int status;
    final String code;

    EcsError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private final class EcsApi implements ResponseDefinitionTransformerV2 {
    @Override
    public String getName() {
      return "alibaba-ecs-stand-in";
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      Request request = serveEvent.getRequest();
      Map<String, String> parameters = parameters(request);
      String action = parameters.getOrDefault("Action", "");
      try {
        if (!signed(request, parameters)) {
          throw new EcsError(
              404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }
        Optional<PlannedFault> fault = ecs.takeFault(action);
        if (fault.isPresent() && !fault.get().losesAnswer()) {
          throw new EcsError(fault.get().status(), fault.get().code(), fault.get().message());
        }
        Map<String, Object> body = ecs.handle(action, parameters);
        if (fault.isPresent()) {
          return ResponseDefinitionBuilder.responseDefinition()
              .withFault(Fault.CONNECTION_RESET_BY_PEER)
              .build();
        }
        return answer(200, body);
      } catch (EcsError e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("RequestId", requestId());
        body.put("HostId", "ecs." + REGION_ID + ".aliyuncs.com");
        body.put("Code", e.code);
        body.put("Message", e.getMessage());
        body.put("Recommend", "https://api.aliyun.com/troubleshoot?q=" + e.code);
        if (e.code.startsWith("Forbidden")) {
          body.put(
              "AccessDeniedDetail",
              Map.of(
                  "AuthAction", "ecs:" + action,
                  "PolicyType", "AccountLevelIdentityBasedPolicy",
                  "NoPermissionType", "ImplicitDeny"));
        }
        return answer(e.status, body);
      }
    }

    private ResponseDefinition answer(int status, Map<String, Object> body) {
      try {
        return ResponseDefinitionBuilder.responseDefinition()
            .withStatus(status)
            .withHeader("Content-Type", "application/json;charset=utf-8")
            .withBody(json.writeValueAsString(body))
            .build();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** V3 signs in the Authorization header, RPC with AccessKeyId and Signature parameters. */
    private boolean signed(Request request, Map<String, String> parameters) {
      String authorization = request.getHeader("Authorization");
      if (authorization != null) {
        return authorization.contains("Credential=" + ACCESS_KEY_ID + ",");
      }
      return ACCESS_KEY_ID.equals(parameters.get("AccessKeyId"))
          && parameters.containsKey("Signature");
    }
  }

  private static String requestId() {
    return UUID.randomUUID().toString().toUpperCase();
  }

  /** One disk of the fake account. Guarded by the FakeEcs lock. */
  private static final class FakeDisk {
    final String id;
    final String name;
    final String category;
    final int size;
    final Map<String, String> tags;
    final Instant created = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String status = "Creating";
    String instanceId = "";
    String device = "";
    int pollsInState = 1;

    FakeDisk(String id, String name, String category, int size, Map<String, String> tags) {
      this.id = id;
      this.name = name;
      this.category = category;
      this.size = size;
      this.tags = tags;
    }

    String serial() {
      return id.substring(2);
    }
  }

  /** A CreateDisk remembered by its ClientToken. */
  private record TokenUse(String fingerprint, String diskId) {}

  /** The fake account's state and ECS's rules; every method holds the lock. */
  private final class FakeEcs {
    private final SecureRandom random = new SecureRandom();
    private final Map<String, FakeDisk> disks = new LinkedHashMap<>();
    private final Map<String, TokenUse> tokens = new LinkedHashMap<>();
    private final Deque<PlannedFault> faults = new ArrayDeque<>();
    private boolean holdAttachments;

    synchronized void plan(PlannedFault fault) {
      faults.add(fault);
    }

    synchronized Optional<PlannedFault> takeFault(String action) {
      for (PlannedFault fault : faults) {
        if (fault.matches(action)) {
          faults.remove(fault);
          return Optional.of(fault);
        }
      }
      return Optional.empty();
    }

    synchronized void holdAttachments(boolean hold) {
      holdAttachments = hold;
    }

    synchronized void attachElsewhere(String diskId, String instanceId) {
      FakeDisk disk = existing(diskId);
      disk.status = "In_use";
      disk.instanceId = instanceId;
      disk.device = "/dev/xvdb";
    }

    synchronized Map<String, String> statuses() {
      Map<String, String> statuses = new TreeMap<>();
      disks.values().forEach(disk -> statuses.put(disk.id, disk.status));
      return statuses;
    }

    synchronized Map<String, Object> handle(String action, Map<String, String> parameters) {
      return switch (action) {
        case "CreateDisk" -> createDisk(parameters);
        case "DescribeDisks" -> describeDisks(parameters);
        case "AttachDisk" -> attachDisk(parameters);
        case "DetachDisk" -> detachDisk(parameters);
        case "DeleteDisk" -> deleteDisk(parameters);
        default ->
            throw new EcsError(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url.");
      };
    }

    private Map<String, Object> createDisk(Map<String, String> parameters) {
      requireRegion(parameters);
      if (!ZONE_ID.equals(parameters.get("ZoneId"))) {
        throw new EcsError(404, "InvalidZoneId.NotFound", "The specified zone does not exist.");
      }
      String category = parameters.getOrDefault("DiskCategory", "cloud");
      int[] range = SIZE_RANGE_BY_CATEGORY.get(category);
      if (range == null) {
        throw new EcsError(
            400,
            "InvalidDiskCategory.ValueNotSupported",
            "The specified parameter DiskCategory is not valid.");
      }
      int size = Integer.parseInt(parameters.getOrDefault("Size", "0"));
      if (size < range[0] || size > range[1]) {
        throw new EcsError(
            400,
            "InvalidDiskSize.ValueNotSupported",
            "The specified parameter Size is not valid for DiskCategory " + category + ".");
      }
      Map<String, String> tags = tags(parameters);
      String name = parameters.getOrDefault("DiskName", "");
      String fingerprint = String.join("|", category, String.valueOf(size), name, tags.toString());
      String token = parameters.get("ClientToken");
      if (token != null) {
        TokenUse earlier = tokens.get(token);
        if (earlier != null) {
          if (!earlier.fingerprint().equals(fingerprint)) {
            throw new EcsError(
                400,
                "IdempotentParameterMismatch",
                "The specified parameters are different from before.");
          }
          return body("DiskId", earlier.diskId(), "OrderId", "");
        }
      }
      String id = "d-bp1" + randomLetters(17);
      disks.put(id, new FakeDisk(id, name, category, size, tags));
      if (token != null) {
        tokens.put(token, new TokenUse(fingerprint, id));
      }
      return body("DiskId", id, "OrderId", "");
    }

    private Map<String, Object> describeDisks(Map<String, String> parameters) {
      requireRegion(parameters);
      Set<String> ids = diskIds(parameters.get("DiskIds"));
      Map<String, String> tagFilter = tags(parameters);
      List<FakeDisk> matching = new ArrayList<>();
      for (FakeDisk disk : new ArrayList<>(disks.values())) {
        if ((ids == null || ids.contains(disk.id))
            && disk.tags.entrySet().containsAll(tagFilter.entrySet())) {
          matching.add(disk);
        }
      }
      int pageSize = Math.min(500, Math.max(10, intOr(parameters.get("MaxResults"), 10)));
      int start = intOr(parameters.get("NextToken"), 0);
      int end = Math.min(matching.size(), start + pageSize);
      List<Map<String, Object>> page = new ArrayList<>();
      for (FakeDisk disk : matching.subList(Math.min(start, end), end)) {
        advance(disk);
        page.add(describe(disk));
      }
      Map<String, Object> body = body();
      body.put("TotalCount", matching.size());
      body.put("PageSize", pageSize);
      body.put("PageNumber", 1);
      body.put("NextToken", end < matching.size() ? String.valueOf(end) : "");
      body.put("Disks", Map.of("Disk", page));
      return body;
    }

    private Map<String, Object> attachDisk(Map<String, String> parameters) {
      requireInstance(parameters);
      FakeDisk disk = existing(parameters.get("DiskId"));
      if (!"Available".equals(disk.status)) {
        throw incorrectStatus();
      }
      disk.status = "Attaching";
      disk.instanceId = VM_ID;
      disk.pollsInState = 1;
      return body();
    }

    private Map<String, Object> detachDisk(Map<String, String> parameters) {
      requireInstance(parameters);
      FakeDisk disk = existing(parameters.get("DiskId"));
      if (!"In_use".equals(disk.status) || !VM_ID.equals(disk.instanceId)) {
        throw incorrectStatus();
      }
      disk.status = "Detaching";
      disk.pollsInState = 1;
      return body();
    }

    private Map<String, Object> deleteDisk(Map<String, String> parameters) {
      FakeDisk disk = existing(parameters.get("DiskId"));
      if (!"Available".equals(disk.status)) {
        throw incorrectStatus();
      }
      disks.remove(disk.id);
      return body();
    }

    /** One DescribeDisks that shows a disk in a passing state moves it on after that. */
    private void advance(FakeDisk disk) {
      if (disk.pollsInState > 0) {
        disk.pollsInState--;
        return;
      }
      switch (disk.status) {
        case "Creating" -> disk.status = "Available";
        case "Attaching" -> {
          if (!holdAttachments) {
            disk.device = freeDevice();
            attachListeners.forEach(
                listener -> listener.accept("/dev/disk/by-id/virtio-" + disk.serial()));
            disk.status = "In_use";
          }
        }
        case "Detaching" -> {
          disk.status = "Available";
          disk.instanceId = "";
          disk.device = "";
        }
        default -> {}
      }
    }

    private String freeDevice() {
      Set<String> used = new HashSet<>();
      disks.values().stream()
          .filter(disk -> VM_ID.equals(disk.instanceId))
          .forEach(disk -> used.add(disk.device));
      for (char letter = 'b'; letter <= 'z'; letter++) {
        if (!used.contains("/dev/xvd" + letter)) {
          return "/dev/xvd" + letter;
        }
      }
      throw new EcsError(403, "InstanceDiskLimitExceeded", "The amount of the disk exceeds.");
    }

    private Map<String, Object> describe(FakeDisk disk) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("DiskId", disk.id);
      view.put("DiskName", disk.name);
      view.put("Description", "pgshuttle auxiliary disk");
      view.put("RegionId", REGION_ID);
      view.put("ZoneId", ZONE_ID);
      view.put("Category", disk.category);
      view.put("PerformanceLevel", "cloud_essd".equals(disk.category) ? "PL1" : "");
      view.put("Size", disk.size);
      view.put("Type", "data");
      view.put("Status", disk.status);
      view.put("InstanceId", disk.instanceId);
      view.put("Device", disk.device);
      view.put("SerialNumber", disk.serial());
      view.put("Portable", true);
      view.put("DiskChargeType", "PostPaid");
      view.put("DeleteWithInstance", false);
      view.put("Encrypted", false);
      view.put("CreationTime", disk.created.toString());
      List<Map<String, Object>> tags = new ArrayList<>();
      disk.tags.forEach((key, value) -> tags.add(Map.of("TagKey", key, "TagValue", value)));
      view.put("Tags", Map.of("Tag", tags));
      List<Map<String, Object>> attachments = new ArrayList<>();
      if (!disk.instanceId.isEmpty()) {
        attachments.add(Map.of("InstanceId", disk.instanceId, "Device", disk.device));
      }
      view.put("Attachments", Map.of("Attachment", attachments));
      view.put("OperationLocks", Map.of("OperationLock", List.of()));
      return view;
    }

    private FakeDisk existing(String diskId) {
      FakeDisk disk = diskId == null ? null : disks.get(diskId);
      if (disk == null) {
        throw new EcsError(404, "InvalidDiskId.NotFound", "The specified disk does not exist.");
      }
      return disk;
    }

    private void requireRegion(Map<String, String> parameters) {
      if (!REGION_ID.equals(parameters.get("RegionId"))) {
        throw new EcsError(
            404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.");
      }
    }

    private void requireInstance(Map<String, String> parameters) {
      if (!VM_ID.equals(parameters.get("InstanceId"))) {
        throw new EcsError(
            404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.");
      }
    }

    private EcsError incorrectStatus() {
      return new EcsError(
          403, "IncorrectDiskStatus", "The current disk status does not support this operation.");
    }

    private Set<String> diskIds(String json) {
      if (json == null || json.isBlank()) {
        return null;
      }
      try {
        return new HashSet<>(
            AlibabaStandIn.this.json.readValue(json, new TypeReference<List<String>>() {}));
      } catch (JsonProcessingException e) {
        throw new EcsError(400, "InvalidDiskIds.Malformed", "The specified DiskIds is malformed.");
      }
    }

    private Map<String, String> tags(Map<String, String> parameters) {
      Map<String, String> tags = new TreeMap<>();
      for (int n = 1; parameters.containsKey("Tag." + n + ".Key"); n++) {
        tags.put(
            parameters.get("Tag." + n + ".Key"),
            parameters.getOrDefault("Tag." + n + ".Value", ""));
      }
      return tags;
    }

    private Map<String, Object> body(Object... keysAndValues) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("RequestId", requestId());
      for (int i = 0; i < keysAndValues.length; i += 2) {
        body.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
      return body;
    }

    private String randomLetters(int count) {
      String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
      StringBuilder letters = new StringBuilder();
      for (int i = 0; i < count; i++) {
        letters.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      return letters.toString();
    }

    private int intOr(String value, int fallback) {
      return value == null || value.isBlank() ? fallback : Integer.parseInt(value);
    }
  }
}
