package io.pgshuttle.iaas.openstack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenStack cloud in memory, answering Keystone's {@code POST /v3/auth/tokens}, Cinder's v3
 * volumes and Nova's {@code os-volume_attachments} the way the API references show them: one
 * project, one server, volumes that pass through {@code creating}, {@code attaching}, {@code
 * detaching} and {@code deleting}, each settling on the second read after it began. Errors are the
 * clouds' own bodies. Thread-safe: every request is answered under one lock.
 */
final class FakeOpenStack implements ResponseDefinitionTransformerV2 {
  static final String PROJECT_ID = "8a6f2d64c2e34f8b9b5a1c1f0e7d3b21";
  static final String SERVER_ID = "5c1c0c3e-7f0e-4a55-9d1b-6f2f2b8f9a11";
  static final String ZONE = "nova";
  static final String REGION = "RegionOne";
  static final String DEFAULT_VOLUME_TYPE = "__DEFAULT__";
  static final Set<String> VOLUME_TYPES = Set.of(DEFAULT_VOLUME_TYPE, "ssd");
  static final String APPLICATION_CREDENTIAL_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  static final String APPLICATION_CREDENTIAL_SECRET = "s3cr3t-application-credential";
  static final String USERNAME = "pgshuttle";
  static final String PASSWORD = "s3cr3t-password";
  static final String USER_DOMAIN = "Default";

  private static final Pattern VOLUMES =
      Pattern.compile("/volume/v3/" + PROJECT_ID + "/volumes(/detail)?");
  private static final Pattern VOLUME =
      Pattern.compile("/volume/v3/" + PROJECT_ID + "/volumes/([^/]+)");
  private static final Pattern ATTACHMENTS =
      Pattern.compile("/compute/v2\\.1/servers/([^/]+)/os-volume_attachments(?:/([^/]+))?");
  private static final DateTimeFormatter KEYSTONE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CINDER_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  /** An error the next matching call answers with. */
  enum Injected {
    THROTTLE,
    DENY,
    QUOTA_ON_CREATE,
    LOSE_CREATE_RESPONSE,
    FAIL_CREATE,
    FAIL_ATTACH
  }

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, FakeVolume> volumes = new LinkedHashMap<>();
  private final Set<String> tokens = new HashSet<>();
  private final Deque<Injected> injected = new ArrayDeque<>();
  private Duration tokenLifetime = Duration.ofHours(1);
  private boolean stalled;
  private Consumer<String> onAttach = path -> {};

  @Override
  public String getName() {
    return "fake-openstack";
  }

  synchronized void inject(Injected fault) {
    injected.add(fault);
  }

  synchronized void stall(boolean stall) {
    stalled = stall;
  }

  synchronized void tokenLifetime(Duration lifetime) {
    tokenLifetime = lifetime;
  }

  synchronized void revokeTokens() {
    tokens.clear();
  }

  synchronized void onAttach(Consumer<String> devicePath) {
    onAttach = devicePath;
  }

  synchronized List<String> volumeIds() {
    return List.copyOf(volumes.keySet());
  }

  @Override
  public synchronized ResponseDefinition transform(ServeEvent event) {
    Request request = event.getRequest();
    String path = URI.create(request.getUrl()).getPath();
    try {
      if (path.equals("/identity/v3/auth/tokens")
          && request.getMethod().equals(RequestMethod.POST)) {
        return authenticate(request);
      }
      if (!tokens.contains(String.valueOf(request.getHeader("X-Auth-Token")))) {
        return error(401, "error", "The request you have made requires authentication.");
      }
      if (consume(Injected.THROTTLE)) {
        return errorBody(429, "overLimit", "This request was rate-limited.")
            .withHeader("Retry-After", "0")
            .build();
      }
      if (consume(Injected.DENY)) {
        return error(
            403,
            "forbidden",
            "Policy doesn't allow " + policy(request, path) + " to be performed.");
      }
      return route(request, path);
    } catch (JsonProcessingException e) {
      return error(400, "badRequest", "Malformed request body: " + e.getOriginalMessage());
    }
  }

  private ResponseDefinition route(Request request, String path) throws JsonProcessingException {
    RequestMethod method = request.getMethod();
    Matcher matcher;
    if ((matcher = VOLUMES.matcher(path)).matches()) {
      if (method.equals(RequestMethod.POST) && matcher.group(1) == null) {
        return createVolume(request);
      }
      if (method.equals(RequestMethod.GET)) {
        return listVolumes(request);
      }
    } else if ((matcher = VOLUME.matcher(path)).matches()) {
      if (method.equals(RequestMethod.GET)) {
        return showVolume(matcher.group(1));
      }
      if (method.equals(RequestMethod.DELETE)) {
        return deleteVolume(matcher.group(1));
      }
    } else if ((matcher = ATTACHMENTS.matcher(path)).matches()) {
      if (method.equals(RequestMethod.POST) && matcher.group(2) == null) {
        return attach(matcher.group(1), request);
      }
      if (method.equals(RequestMethod.DELETE) && matcher.group(2) != null) {
        return detach(matcher.group(1), matcher.group(2));
      }
    }
    return error(404, "itemNotFound", "The resource could not be found.");
  }

  private ResponseDefinition authenticate(Request request) throws JsonProcessingException {
    JsonNode identity = json.readTree(request.getBodyAsString()).path("auth").path("identity");
    String method = identity.path("methods").path(0).asText();
    boolean valid =
        switch (method) {
          case "application_credential" ->
              identity
                      .path("application_credential")
                      .path("id")
                      .asText()
                      .equals(APPLICATION_CREDENTIAL_ID)
                  && identity
                      .path("application_credential")
                      .path("secret")
                      .asText()
                      .equals(APPLICATION_CREDENTIAL_SECRET);
          case "password" -> {
            JsonNode user = identity.path("password").path("user");
            yield user.path("name").asText().equals(USERNAME)
                && user.path("password").asText().equals(PASSWORD)
                && user.path("domain").path("name").asText().equals(USER_DOMAIN);
          }
          default -> false;
        };
    if (!valid) {
      return error(401, "error", "The request you have made requires authentication.");
    }
    String token = "gAAAAA" + UUID.randomUUID().toString().replace("-", "");
    tokens.add(token);
    String base = baseUrl(request);
    Instant now = Instant.now();
    ObjectNode body = json.createObjectNode();
    ObjectNode content = body.putObject("token");
    content.putArray("methods").add(method);
    content.put("expires_at", KEYSTONE_TIME.format(now.plus(tokenLifetime)));
    content.put("issued_at", KEYSTONE_TIME.format(now));
    content.putArray("audit_ids").add("3T2dc1CGQxyJsHdDu1xkcw");
    ObjectNode user = content.putObject("user");
    user.put("id", "ee4dfb6e5540447cb3741905149d9b6e");
    user.put("name", USERNAME);
    user.putObject("domain").put("id", "default").put("name", USER_DOMAIN);
    ObjectNode project = content.putObject("project");
    project.put("id", PROJECT_ID);
    project.put("name", "pgshuttle");
    project.putObject("domain").put("id", "default").put("name", USER_DOMAIN);
    content
        .putArray("roles")
        .addObject()
        .put("id", "9fe2ff9ee4384b1894a90878d3e92bab")
        .put("name", "member");
    ArrayNode catalog = content.putArray("catalog");
    service(catalog, "volumev3", "cinderv3", base + "/volume/v3/" + PROJECT_ID);
    service(catalog, "compute", "nova", base + "/compute/v2.1");
    service(catalog, "identity", "keystone", base + "/identity");
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withHeader("X-Subject-Token", token)
        .withBody(json.writeValueAsString(body))
        .build();
  }

  private static void service(ArrayNode catalog, String type, String name, String url) {
    ObjectNode service = catalog.addObject();
    service.put("id", UUID.nameUUIDFromBytes(type.getBytes()).toString().replace("-", ""));
    service.put("type", type);
    service.put("name", name);
    service
        .putArray("endpoints")
        .addObject()
        .put("id", UUID.nameUUIDFromBytes(url.getBytes()).toString().replace("-", ""))
        .put("interface", "public")
        .put("region", REGION)
        .put("region_id", REGION)
        .put("url", url);
  }

  private ResponseDefinition createVolume(Request request) throws JsonProcessingException {
    JsonNode volume = json.readTree(request.getBodyAsString()).path("volume");
    if (consume(Injected.QUOTA_ON_CREATE)) {
      return errorBody(
              413,
              "overLimit",
              "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota"
                  + " 'volumes'.")
          .withHeader("Retry-After", "0")
          .build();
    }
    String zone = volume.path("availability_zone").asText(ZONE);
    if (!zone.equals(ZONE)) {
      return error(400, "badRequest", "Availability zone '" + zone + "' is invalid.");
    }
    String type = volume.path("volume_type").asText(DEFAULT_VOLUME_TYPE);
    if (!VOLUME_TYPES.contains(type)) {
      return error(404, "itemNotFound", "Volume type with name " + type + " could not be found.");
    }
    int size = volume.path("size").asInt();
    if (size < 1) {
      return error(400, "badRequest", "Invalid input received: size must be a positive integer.");
    }
    FakeVolume created =
        new FakeVolume(
            UUID.randomUUID().toString(),
            volume.path("name").asText(null),
            size,
            zone,
            type,
            json.convertValue(volume.path("metadata"), new TypeReference<Map<String, String>>() {}),
            Instant.now());
    created.creationFails = consume(Injected.FAIL_CREATE);
    volumes.put(created.id, created);
    if (consume(Injected.LOSE_CREATE_RESPONSE)) {
      return ResponseDefinitionBuilder.responseDefinition()
          .withFault(Fault.CONNECTION_RESET_BY_PEER)
          .build();
    }
    return json(202, "volume", volume(created));
  }

  private ResponseDefinition listVolumes(Request request) throws JsonProcessingException {
    QueryParameter filter = request.queryParameter("metadata");
    Map<String, String> wanted =
        filter.isPresent()
            ? json.readValue(filter.firstValue(), new TypeReference<Map<String, String>>() {})
            : Map.of();
    ArrayNode list = json.createArrayNode();
    for (FakeVolume volume : List.copyOf(volumes.values())) {
      if (volume.metadata.entrySet().containsAll(wanted.entrySet())) {
        settle(volume).ifPresent(list::add);
      }
    }
    ObjectNode body = json.createObjectNode();
    body.set("volumes", list);
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(json.writeValueAsString(body))
        .build();
  }

  private ResponseDefinition showVolume(String id) throws JsonProcessingException {
    FakeVolume volume = volumes.get(id);
    Optional<ObjectNode> shown = volume == null ? Optional.empty() : settle(volume);
    return shown.isPresent() ? json(200, "volume", shown.get()) : volumeNotFound(id);
  }

  private ResponseDefinition deleteVolume(String id) {
    FakeVolume volume = volumes.get(id);
    if (volume == null) {
      return volumeNotFound(id);
    }
    if (!volume.status.equals("available") && !volume.status.equals("error")) {
      return error(
          400,
          "badRequest",
          "Invalid volume: Volume status must be available or error or error_restoring or"
              + " error_extending or error_managing and must not be migrating, attached, belong"
              + " to a group, have snapshots, awaiting a transfer, or be disassociated from"
              + " snapshots after volume transfer.");
    }
    volume.begin("deleting");
    return ResponseDefinitionBuilder.responseDefinition().withStatus(202).build();
  }

  private ResponseDefinition attach(String serverId, Request request)
      throws JsonProcessingException {
    if (!serverId.equals(SERVER_ID)) {
      return error(404, "itemNotFound", "Instance " + serverId + " could not be found.");
    }
    String volumeId =
        json.readTree(request.getBodyAsString()).path("volumeAttachment").path("volumeId").asText();
    FakeVolume volume = volumes.get(volumeId);
    if (volume == null) {
      return volumeNotFound(volumeId);
    }
    if (!volume.status.equals("available")) {
      return error(
          400,
          "badRequest",
          "Invalid input received: Invalid volume: Volume "
              + volumeId
              + " status must be available or downloading to reserve, but the current status is "
              + volume.status
              + ".");
    }
    volume.server = serverId;
    volume.device = freeDevice(serverId);
    volume.attachmentFails = consume(Injected.FAIL_ATTACH);
    volume.begin("attaching");
    ObjectNode attachment = json.createObjectNode();
    attachment.put("device", volume.device);
    attachment.put("id", volumeId);
    attachment.put("serverId", serverId);
    attachment.put("volumeId", volumeId);
    return json(200, "volumeAttachment", attachment);
  }

  private ResponseDefinition detach(String serverId, String volumeId) {
    FakeVolume volume = volumes.get(volumeId);
    if (volume == null || !serverId.equals(volume.server) || !volume.status.equals("in-use")) {
      return error(404, "itemNotFound", "volume_id not found: " + volumeId);
    }
    volume.begin("detaching");
    return ResponseDefinitionBuilder.responseDefinition().withStatus(202).build();
  }

  private String freeDevice(String serverId) {
    Set<String> used = new HashSet<>();
    volumes.values().stream()
        .filter(volume -> serverId.equals(volume.server))
        .forEach(volume -> used.add(volume.device));
    for (char letter = 'b'; letter <= 'z'; letter++) {
      if (!used.contains("/dev/vd" + letter)) {
        return "/dev/vd" + letter;
      }
    }
    throw new IllegalStateException("the fake server has no free device name");
  }

  /** The volume as a read shows it now, advancing a passing state; empty once deleted. */
  private Optional<ObjectNode> settle(FakeVolume volume) {
    if (volume.isPassing() && !stalled && volume.readsUntilSettled-- <= 0) {
      switch (volume.status) {
        case "creating" -> volume.status = volume.creationFails ? "error" : "available";
        case "attaching" -> {
          if (volume.attachmentFails) {
            volume.release();
          } else {
            volume.status = "in-use";
            onAttach.accept(
                "/dev/disk/by-id/virtio-"
                    + volume.id.substring(0, OpenStackDiskProvisioner.VIRTIO_SERIAL_LENGTH));
          }
        }
        case "detaching" -> volume.release();
        case "deleting" -> {
          volumes.remove(volume.id);
          return Optional.empty();
        }
        default -> throw new IllegalStateException("not a passing state: " + volume.status);
      }
    }
    return Optional.of(volume(volume));
  }

  private ObjectNode volume(FakeVolume volume) {
    ObjectNode node = json.createObjectNode();
    node.put("id", volume.id);
    node.put("name", volume.name);
    node.put("status", volume.status);
    node.put("size", volume.size);
    node.put("availability_zone", volume.zone);
    node.put("created_at", CINDER_TIME.format(volume.createdAt));
    node.putNull("updated_at");
    node.put("volume_type", volume.type);
    node.set("metadata", json.valueToTree(volume.metadata));
    ArrayNode attachments = node.putArray("attachments");
    if (volume.status.equals("in-use") || volume.status.equals("detaching")) {
      attachments
          .addObject()
          .put("server_id", volume.server)
          .put("attachment_id", UUID.nameUUIDFromBytes(volume.id.getBytes()).toString())
          .put("attached_at", CINDER_TIME.format(volume.createdAt))
          .putNull("host_name")
          .put("volume_id", volume.id)
          .put("device", volume.device)
          .put("id", volume.id);
    }
    node.put("bootable", "false");
    node.put("encrypted", false);
    node.put("multiattach", false);
    node.putNull("description");
    node.putNull("snapshot_id");
    node.putNull("source_volid");
    node.put("user_id", "ee4dfb6e5540447cb3741905149d9b6e");
    node.put("os-vol-tenant-attr:tenant_id", PROJECT_ID);
    return node;
  }

  private boolean consume(Injected fault) {
    return injected.remove(fault);
  }

  private static String policy(Request request, String path) {
    if (ATTACHMENTS.matcher(path).matches()) {
      return request.getMethod().equals(RequestMethod.POST)
          ? "os_compute_api:os-volumes-attachments:create"
          : "os_compute_api:os-volumes-attachments:delete";
    }
    return switch (request.getMethod().getName()) {
      case "POST" -> "volume:create";
      case "DELETE" -> "volume:delete";
      default -> VOLUME.matcher(path).matches() ? "volume:get" : "volume:get_all";
    };
  }

  private static String baseUrl(Request request) {
    URI uri = URI.create(request.getAbsoluteUrl());
    return uri.getScheme() + "://" + uri.getAuthority();
  }

  private ResponseDefinition volumeNotFound(String id) {
    return error(404, "itemNotFound", "Volume " + id + " could not be found.");
  }

  private ResponseDefinition json(int status, String root, JsonNode content)
      throws JsonProcessingException {
    ObjectNode body = json.createObjectNode();
    body.set(root, content);
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(json.writeValueAsString(body))
        .build();
  }

  private ResponseDefinition error(int status, String kind, String message) {
    return errorBody(status, kind, message).build();
  }

  /** An error as the OpenStack services write it: {@code {"<kind>": {"code", "message"}}}. */
  private ResponseDefinitionBuilder errorBody(int status, String kind, String message) {
    ObjectNode body = json.createObjectNode();
    body.putObject(kind).put("code", status).put("message", message);
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody(body.toString());
  }

  /** A volume of the fake project; guarded by the cloud's lock. */
  private static final class FakeVolume {
    final String id;
    final String name;
    final int size;
    final String zone;
    final String type;
    final Map<String, String> metadata;
    final Instant createdAt;
    String status = "creating";
    int readsUntilSettled = 1;
    String server;
    String device;
    boolean creationFails;
    boolean attachmentFails;

    FakeVolume(
        String id,
        String name,
        int size,
        String zone,
        String type,
        Map<String, String> metadata,
        Instant createdAt) {
      this.id = id;
      this.name = name;
      this.size = size;
      this.zone = zone;
      this.type = type;
      this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
      this.createdAt = createdAt;
    }

    boolean isPassing() {
      return Set.of("creating", "attaching", "detaching", "deleting").contains(status);
    }

    void begin(String passingStatus) {
      status = passingStatus;
      readsUntilSettled = 1;
    }

    void release() {
      status = "available";
      server = null;
      device = null;
    }
  }
}
