package io.pgshuttle.iaas.aws;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The state of a fake EC2 account with one running instance, and the EC2 Query API actions the aws
 * provider uses (CreateVolume, DescribeVolumes, AttachVolume, DetachVolume, DeleteVolume,
 * DescribeInstances), answered as XML modelled on the EC2 API reference (API version 2016-11-15).
 *
 * <p>Volumes move through their states as EC2's do, one step each {@code pollsPerTransition}
 * DescribeVolumes calls that show them: {@code creating → available}; on attach the volume is
 * {@code in-use} at once while its attachment goes {@code attaching → attached}; {@code detaching →
 * (none)} back to {@code available}; {@code deleting → (gone)}. The instance already has a root
 * volume at {@code /dev/xvda} and a BOSH persistent disk at {@code /dev/sdf}. Thread-safe: every
 * call holds the instance's lock.
 */
final class FakeEc2 {
  static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

  private static final Set<String> VOLUME_TYPES =
      Set.of("standard", "io1", "io2", "gp2", "gp3", "sc1", "st1");
  private static final Pattern VOLUME_ID = Pattern.compile("vol-[0-9a-f]{8}(?:[0-9a-f]{9})?");
  private static final Pattern DEVICE_NAME = Pattern.compile("/dev/(?:sd|xvd)[b-z]");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** An answer: an HTTP status and XML body, or a connection dropped after the work was done. */
  record Reply(int status, String body, boolean dropConnection) {}

  private record InjectedError(String action, int status, String code, String message) {}

  private static final class Ec2Error extends RuntimeException {
    private final int status;
    private final String code;

    Ec2Error(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private static final class FakeAttachment {
    final String instanceId;
    final String device;
    final String attachTime = TIMESTAMP.format(Instant.now());
    String state;

    FakeAttachment(String instanceId, String device, String state) {
      this.instanceId = instanceId;
      this.device = device;
      this.state = state;
    }
  }

  private static final class FakeVolume {
    final String id;
    final String zone;
    final int size;
    final String type;
    final boolean encrypted;
    final String kmsKeyId;
    final Map<String, String> tags;
    final String createTime = TIMESTAMP.format(Instant.now());
    String state;
    FakeAttachment attachment;
    int pendingPolls;

    FakeVolume(
        String id,
        String zone,
        int size,
        String type,
        boolean encrypted,
        String kmsKeyId,
        Map<String, String> tags,
        String state) {
      this.id = id;
      this.zone = zone;
      this.size = size;
      this.type = type;
      this.encrypted = encrypted;
      this.kmsKeyId = kmsKeyId;
      this.tags = tags;
      this.state = state;
    }

    boolean inTransition() {
      return state.equals("creating")
          || state.equals("deleting")
          || (attachment != null
              && (attachment.state.equals("attaching") || attachment.state.equals("detaching")));
    }
  }

  private final String region;
  private final String instanceId;
  private final String instanceZone;
  private final int pollsPerTransition;
  private final Map<String, FakeVolume> volumes = new LinkedHashMap<>();
  private final Map<String, FakeVolume> volumeByClientToken = new HashMap<>();
  private final Set<String> bootVolumeIds = new HashSet<>();
  private final Deque<InjectedError> injectedErrors = new ArrayDeque<>();
  private final Set<String> responsesToLose = new HashSet<>();
  private boolean hideVolumesFromNextTagSearch;
  private boolean frozen;
  private Consumer<String> onAttach = devicePath -> {};
  private long volumeSerial = 0x049df61146c4d7900L;

  FakeEc2(String region, String instanceId, String instanceZone, int pollsPerTransition) {
    this.region = region;
    this.instanceId = instanceId;
    this.instanceZone = instanceZone;
    this.pollsPerTransition = pollsPerTransition;
    attachedAtBoot("/dev/xvda", "bosh-root");
    attachedAtBoot("/dev/sdf", "bosh-persistent-disk");
  }

  private void attachedAtBoot(String device, String name) {
    FakeVolume volume =
        new FakeVolume(
            nextVolumeId(),
            instanceZone,
            10,
            "gp3",
            false,
            null,
            new LinkedHashMap<>(Map.of("Name", name)),
            "in-use");
    volume.attachment = new FakeAttachment(instanceId, device, "attached");
    volumes.put(volume.id, volume);
    bootVolumeIds.add(volume.id);
  }

  synchronized Reply handle(Map<String, String> params) {
    String action = params.getOrDefault("Action", "");
    Optional<InjectedError> injected = takeInjectedError(action);
    if (injected.isPresent()) {
      InjectedError error = injected.get();
      return errorReply(error.status(), error.code(), error.message());
    }
    try {
      String body =
          switch (action) {
            case "CreateVolume" -> createVolume(params);
            case "DescribeVolumes" -> describeVolumes(params);
            case "AttachVolume" -> attachVolume(params);
            case "DetachVolume" -> detachVolume(params);
            case "DeleteVolume" -> deleteVolume(params);
            case "DescribeInstances" -> describeInstances(params);
            default ->
                throw new Ec2Error(
                    400,
                    "InvalidAction",
                    "The action " + action + " is not valid for this web service.");
          };
      return new Reply(200, body, responsesToLose.remove(action));
    } catch (Ec2Error e) {
      return errorReply(e.status, e.code, e.getMessage());
    }
  }

  synchronized void injectError(String action, int status, String code, String message) {
    injectedErrors.add(new InjectedError(action, status, code, message));
  }

  synchronized void loseNextResponseTo(String action) {
    responsesToLose.add(action);
  }

  synchronized void hideVolumesFromNextTagSearch() {
    hideVolumesFromNextTagSearch = true;
  }

  synchronized void freezeTransitions() {
    frozen = true;
  }

  synchronized void onAttach(Consumer<String> devicePath) {
    onAttach = devicePath;
  }

  /** The volumes made through CreateVolume that still exist, in any state. */
  synchronized List<String> createdVolumeIds() {
    return volumes.values().stream()
        .filter(volume -> !bootVolumeIds.contains(volume.id))
        .map(volume -> volume.id)
        .toList();
  }

  synchronized List<String> volumesTagged(String key, String value) {
    return volumes.values().stream()
        .filter(volume -> value.equals(volume.tags.get(key)))
        .map(volume -> volume.id)
        .toList();
  }

  synchronized Optional<String> volumeState(String volumeId) {
    return Optional.ofNullable(volumes.get(volumeId)).map(volume -> volume.state);
  }

  synchronized Optional<String> attachmentState(String volumeId) {
    return Optional.ofNullable(volumes.get(volumeId))
        .map(volume -> volume.attachment)
        .map(attachment -> attachment.state);
  }

  private Optional<InjectedError> takeInjectedError(String action) {
    InjectedError next = injectedErrors.peek();
    if (next != null && (next.action() == null || next.action().equals(action))) {
      return Optional.of(injectedErrors.remove());
    }
    return Optional.empty();
  }

  private String createVolume(Map<String, String> params) {
    String zone = required(params, "AvailabilityZone");
    if (!zone.equals(instanceZone) && !zone.matches(Pattern.quote(region) + "[a-c]")) {
      throw new Ec2Error(400, "InvalidZone.NotFound", "The zone '" + zone + "' does not exist.");
    }
    int size = Integer.parseInt(required(params, "Size"));
    if (size < 1 || size > 16384) {
      throw invalidValue(Integer.toString(size), "size");
    }
    String type = params.getOrDefault("VolumeType", "gp2");
    if (!VOLUME_TYPES.contains(type)) {
      throw invalidValue(type, "volumeType");
    }
    boolean encrypted = "true".equals(params.get("Encrypted"));
    String kmsKeyId = params.get("KmsKeyId");
    if (kmsKeyId != null && !encrypted) {
      throw new Ec2Error(
          400,
          "InvalidParameterDependency",
          "The parameter KmsKeyId requires the parameter Encrypted to be set.");
    }
    Map<String, String> tags = volumeTags(params);
    String clientToken = params.get("ClientToken");
    FakeVolume earlier = clientToken == null ? null : volumeByClientToken.get(clientToken);
    if (earlier != null) {
      if (earlier.size != size || !earlier.zone.equals(zone) || !earlier.type.equals(type)) {
        throw new Ec2Error(
            400,
            "IdempotentParameterMismatch",
            "The client token you have provided is associated with a resource that has"
                + " different parameters.");
      }
      return response("CreateVolume", volumeFields(earlier));
    }
    FakeVolume volume =
        new FakeVolume(nextVolumeId(), zone, size, type, encrypted, kmsKeyId, tags, "creating");
    volume.pendingPolls = pollsPerTransition;
    volumes.put(volume.id, volume);
    if (clientToken != null) {
      volumeByClientToken.put(clientToken, volume);
    }
    return response("CreateVolume", volumeFields(volume));
  }

  private Map<String, String> volumeTags(Map<String, String> params) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int spec = 1; params.containsKey("TagSpecification." + spec + ".ResourceType"); spec++) {
      String prefix = "TagSpecification." + spec + ".";
      String resourceType = params.get(prefix + "ResourceType");
      if (!resourceType.equals("volume")) {
        throw invalidValue(resourceType, "resourceType");
      }
      for (int tag = 1; params.containsKey(prefix + "Tag." + tag + ".Key"); tag++) {
        tags.put(
            params.get(prefix + "Tag." + tag + ".Key"),
            params.getOrDefault(prefix + "Tag." + tag + ".Value", ""));
      }
    }
    return tags;
  }

  private String describeVolumes(Map<String, String> params) {
    List<String> ids = indexed(params, "VolumeId");
    List<FakeVolume> candidates = new ArrayList<>();
    if (ids.isEmpty()) {
      candidates.addAll(volumes.values());
    } else {
      for (String id : ids) {
        candidates.add(existing(id));
      }
    }
    candidates.forEach(this::advance);
    candidates.removeIf(volume -> !volumes.containsKey(volume.id));
    if (!ids.isEmpty() && candidates.size() < ids.size()) {
      throw notFound(ids.stream().filter(id -> !volumes.containsKey(id)).findFirst().get());
    }
    List<Predicate<FakeVolume>> filters = filters(params);
    boolean tagSearch =
        params.entrySet().stream()
            .anyMatch(
                param ->
                    param.getKey().matches("Filter\\.\\d+\\.Name")
                        && param.getValue().startsWith("tag:"));
    boolean hide = tagSearch && hideVolumesFromNextTagSearch;
    if (tagSearch) {
      hideVolumesFromNextTagSearch = false;
    }
    StringBuilder items = new StringBuilder();
    candidates.stream()
        .filter(volume -> !hide && filters.stream().allMatch(filter -> filter.test(volume)))
        .forEach(volume -> items.append("<item>").append(volumeFields(volume)).append("</item>"));
    return response("DescribeVolumes", "<volumeSet>" + items + "</volumeSet>");
  }

  private List<Predicate<FakeVolume>> filters(Map<String, String> params) {
    List<Predicate<FakeVolume>> filters = new ArrayList<>();
    for (int n = 1; params.containsKey("Filter." + n + ".Name"); n++) {
      String name = params.get("Filter." + n + ".Name");
      List<String> values = indexed(params, "Filter." + n + ".Value");
      Predicate<FakeVolume> filter;
      if (name.startsWith("tag:")) {
        String key = name.substring("tag:".length());
        filter = volume -> values.contains(volume.tags.get(key));
      } else {
        filter =
            switch (name) {
              case "tag-key" -> volume -> volume.tags.keySet().stream().anyMatch(values::contains);
              case "status" -> volume -> values.contains(volume.state);
              case "availability-zone" -> volume -> values.contains(volume.zone);
              case "volume-id" -> volume -> values.contains(volume.id);
              case "attachment.instance-id" ->
                  volume ->
                      volume.attachment != null && values.contains(volume.attachment.instanceId);
              default ->
                  throw new Ec2Error(
                      400, "InvalidParameterValue", "The filter '" + name + "' is invalid");
            };
      }
      filters.add(filter);
    }
    return filters;
  }

  private String attachVolume(Map<String, String> params) {
    FakeVolume volume = existing(required(params, "VolumeId"));
    String instance = required(params, "InstanceId");
    String device = required(params, "Device");
    requireInstance(instance);
    if (!DEVICE_NAME.matcher(device).matches()) {
      throw invalidValue(device, "device");
    }
    char letter = device.charAt(device.length() - 1);
    boolean taken =
        volumes.values().stream()
            .anyMatch(
                other ->
                    other.attachment != null
                        && other.attachment.instanceId.equals(instance)
                        && other.attachment.device.charAt(other.attachment.device.length() - 1)
                            == letter);
    if (taken) {
      throw new Ec2Error(
          400,
          "InvalidParameterValue",
          "Invalid value '"
              + device
              + "' for unixDevice. Attachment point "
              + device
              + " is already in use");
    }
    if (!volume.zone.equals(instanceZone)) {
      throw new Ec2Error(
          400,
          "InvalidVolume.ZoneMismatch",
          "The volume '"
              + volume.id
              + "' is not in the same availability zone as instance '"
              + instance
              + "'");
    }
    if (!volume.state.equals("available")) {
      throw incorrectState(volume);
    }
    volume.state = "in-use";
    volume.attachment = new FakeAttachment(instance, device, "attaching");
    volume.pendingPolls = pollsPerTransition;
    return response("AttachVolume", attachmentFields(volume));
  }

  private String detachVolume(Map<String, String> params) {
    FakeVolume volume = existing(required(params, "VolumeId"));
    String instance = params.get("InstanceId");
    if (volume.attachment == null) {
      throw incorrectState(volume);
    }
    if (instance != null && !instance.equals(volume.attachment.instanceId)) {
      throw new Ec2Error(
          400,
          "InvalidAttachment.NotFound",
          "Volume "
              + volume.id
              + " can not be detached from "
              + instance
              + " as it is not attached");
    }
    if (!volume.attachment.state.equals("detaching")) {
      volume.attachment.state = "detaching";
      volume.pendingPolls = pollsPerTransition;
    }
    return response("DetachVolume", attachmentFields(volume));
  }

  private String deleteVolume(Map<String, String> params) {
    FakeVolume volume = existing(required(params, "VolumeId"));
    if (volume.attachment != null) {
      throw new Ec2Error(
          400,
          "VolumeInUse",
          "Volume " + volume.id + " is currently attached to " + volume.attachment.instanceId);
    }
    if (!volume.state.equals("deleting")) {
      volume.state = "deleting";
      volume.pendingPolls = pollsPerTransition;
    }
    return response("DeleteVolume", "<return>true</return>");
  }

  private String describeInstances(Map<String, String> params) {
    for (String id : indexed(params, "InstanceId")) {
      requireInstance(id);
    }
    StringBuilder mappings = new StringBuilder();
    for (FakeVolume volume : volumes.values()) {
      if (volume.attachment != null && volume.attachment.instanceId.equals(instanceId)) {
        mappings
            .append("<item>")
            .append(element("deviceName", volume.attachment.device))
            .append("<ebs>")
            .append(element("volumeId", volume.id))
            .append(element("status", volume.attachment.state))
            .append(element("attachTime", volume.attachment.attachTime))
            .append(element("deleteOnTermination", volume.attachment.device.equals("/dev/xvda")))
            .append("</ebs></item>");
      }
    }
    String instance =
        element("instanceId", instanceId)
            + element("imageId", "ami-0abcdef1234567890")
            + "<instanceState><code>16</code><name>running</name></instanceState>"
            + element("instanceType", "m6i.large")
            + "<placement>"
            + element("availabilityZone", instanceZone)
            + "<tenancy>default</tenancy></placement>"
            + element("rootDeviceType", "ebs")
            + element("rootDeviceName", "/dev/xvda")
            + "<blockDeviceMapping>"
            + mappings
            + "</blockDeviceMapping>";
    return response(
        "DescribeInstances",
        "<reservationSet><item>"
            + element("reservationId", "r-0123456789abcdef0")
            + element("ownerId", "123456789012")
            + "<groupSet/><instancesSet><item>"
            + instance
            + "</item></instancesSet></item></reservationSet>");
  }

  /** Moves a volume one step on, once it has been seen in its state often enough. */
  private void advance(FakeVolume volume) {
    if (frozen || !volume.inTransition()) {
      return;
    }
    if (volume.pendingPolls > 0) {
      volume.pendingPolls--;
      return;
    }
    if (volume.state.equals("creating")) {
      volume.state = "available";
    } else if (volume.state.equals("deleting")) {
      volumes.remove(volume.id);
    } else if (volume.attachment.state.equals("attaching")) {
      volume.attachment.state = "attached";
      onAttach.accept(
          "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volume.id.replace("-", ""));
    } else {
      volume.attachment = null;
      volume.state = "available";
    }
    volume.pendingPolls = pollsPerTransition;
  }

  private FakeVolume existing(String volumeId) {
    if (!VOLUME_ID.matcher(volumeId).matches()) {
      throw new Ec2Error(400, "InvalidVolumeID.Malformed", "Invalid id: \"" + volumeId + "\"");
    }
    FakeVolume volume = volumes.get(volumeId);
    if (volume == null) {
      throw notFound(volumeId);
    }
    return volume;
  }

  private void requireInstance(String id) {
    if (!id.equals(instanceId)) {
      throw new Ec2Error(
          400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
    }
  }

  private static Ec2Error notFound(String volumeId) {
    return new Ec2Error(
        400, "InvalidVolume.NotFound", "The volume '" + volumeId + "' does not exist.");
  }

  private static Ec2Error incorrectState(FakeVolume volume) {
    return new Ec2Error(
        400,
        "IncorrectState",
        "Volume '" + volume.id + "' is in the '" + volume.state + "' state.");
  }

  private static Ec2Error invalidValue(String value, String parameter) {
    return new Ec2Error(
        400,
        "InvalidParameterValue",
        "Value (" + value + ") for parameter " + parameter + " is invalid.");
  }

  private static String required(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null) {
      throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter " + name);
    }
    return value;
  }

  private static List<String> indexed(Map<String, String> params, String prefix) {
    List<String> values = new ArrayList<>();
    for (int n = 1; params.containsKey(prefix + "." + n); n++) {
      values.add(params.get(prefix + "." + n));
    }
    return values;
  }

  private String nextVolumeId() {
    return String.format("vol-%017x", volumeSerial++);
  }

  private static String volumeFields(FakeVolume volume) {
    StringBuilder xml =
        new StringBuilder()
            .append(element("volumeId", volume.id))
            .append(element("size", volume.size))
            .append("<snapshotId/>")
            .append(element("availabilityZone", volume.zone))
            .append(element("status", volume.state))
            .append(element("createTime", volume.createTime))
            .append("<attachmentSet>");
    if (volume.attachment != null) {
      xml.append("<item>").append(attachmentFields(volume)).append("</item>");
    }
    xml.append("</attachmentSet>")
        .append(element("volumeType", volume.type))
        .append(volume.type.equals("gp3") ? element("iops", 3000) + element("throughput", 125) : "")
        .append(element("encrypted", volume.encrypted))
        .append(volume.kmsKeyId == null ? "" : element("kmsKeyId", volume.kmsKeyId))
        .append(element("multiAttachEnabled", false))
        .append("<tagSet>");
    volume.tags.forEach(
        (key, value) ->
            xml.append("<item>")
                .append(element("key", key))
                .append(element("value", value))
                .append("</item>"));
    return xml.append("</tagSet>").toString();
  }

  private static String attachmentFields(FakeVolume volume) {
    return element("volumeId", volume.id)
        + element("instanceId", volume.attachment.instanceId)
        + element("device", volume.attachment.device)
        + element("status", volume.attachment.state)
        + element("attachTime", volume.attachment.attachTime)
        + element("deleteOnTermination", false);
  }

  private static String response(String action, String fields) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"
        + action
        + "Response xmlns=\""
        + NAMESPACE
        + "\">"
        + element("requestId", UUID.randomUUID())
        + fields
        + "</"
        + action
        + "Response>";
  }

  private static Reply errorReply(int status, String code, String message) {
    return new Reply(
        status,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
            + element("Code", code)
            + element("Message", message)
            + "</Error></Errors>"
            + element("RequestID", UUID.randomUUID())
            + "</Response>",
        false);
  }

  private static String element(String name, Object value) {
    String text =
        String.valueOf(value)
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\"", "&quot;");
    return "<" + name + ">" + text + "</" + name + ">";
  }
}
