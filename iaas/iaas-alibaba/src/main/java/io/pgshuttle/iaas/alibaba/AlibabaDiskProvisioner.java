package io.pgshuttle.iaas.alibaba;

import com.aliyun.ecs20140526.Client;
import com.aliyun.ecs20140526.models.AttachDiskRequest;
import com.aliyun.ecs20140526.models.CreateDiskRequest;
import com.aliyun.ecs20140526.models.DeleteDiskRequest;
import com.aliyun.ecs20140526.models.DescribeDisksRequest;
import com.aliyun.ecs20140526.models.DescribeDisksResponseBody;
import com.aliyun.ecs20140526.models.DescribeDisksResponseBody.DescribeDisksResponseBodyDisksDisk;
import com.aliyun.ecs20140526.models.DetachDiskRequest;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ECS cloud disks for the VM {@code vmId}. ECS answers CreateDisk, AttachDisk and DetachDisk at
 * once and does the work afterwards, so each method then polls DescribeDisks every {@code
 * pollInterval} until the disk reaches its state, for at most {@code operationTimeout}. Create is
 * idempotent through ECS's ClientToken, derived from the idempotency key. Thread-safe: the SDK
 * client is, and this class keeps no other state.
 */
final class AlibabaDiskProvisioner implements DiskProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(AlibabaDiskProvisioner.class);

  /** ECS's smallest size per category (CreateDisk's Size); cloud_essd is PL1, ECS's default. */
  private static final Map<String, Integer> MINIMUM_SIZE_GIB =
      Map.of(
          "cloud", 5,
          "cloud_efficiency", 20,
          "cloud_ssd", 20,
          "cloud_essd", 20,
          "cloud_auto", 1,
          "cloud_essd_entry", 10,
          "elastic_ephemeral_disk_standard", 64,
          "elastic_ephemeral_disk_premium", 64);

  /** DescribeDisks filters on at most this many tags; the rest are matched here. */
  private static final int SERVER_SIDE_TAGS = 20;

  private static final int PAGE_SIZE = 100;
  private static final int CLIENT_TOKEN_HEX_CHARS = 48;
  private static final int DISK_NAME_MAX = 128;

  private final Client ecs;
  private final AlibabaSettings settings;
  private final AlibabaErrors errors;

  AlibabaDiskProvisioner(Client ecs, AlibabaSettings settings) {
    this.ecs = ecs;
    this.settings = settings;
    this.errors = new AlibabaErrors(settings);
  }

  @Override
  public String id() {
    return AlibabaDiskProvisionerProvider.ID;
  }

  @Override
  public Disk create(DiskRequest request) {
    int sizeGiB = sizeFor(request.sizeGiB(), settings.diskCategory());
    String attempt =
        "create a "
            + sizeGiB
            + " GiB "
            + settings.diskCategory()
            + " disk in zone "
            + settings.zoneId();
    List<CreateDiskRequest.CreateDiskRequestTag> tags = new ArrayList<>();
    new TreeMap<>(request.tags())
        .forEach(
            (key, value) ->
                tags.add(new CreateDiskRequest.CreateDiskRequestTag().setKey(key).setValue(value)));
    CreateDiskRequest create =
        new CreateDiskRequest()
            .setRegionId(settings.regionId())
            .setZoneId(settings.zoneId())
            .setDiskCategory(settings.diskCategory())
            .setSize(sizeGiB)
            .setDiskName(diskName(request.idempotencyKey()))
            .setDescription("pgshuttle auxiliary disk")
            .setClientToken(clientToken(request.idempotencyKey()))
            .setTag(tags);
    String diskId = call("CreateDisk", attempt, () -> ecs.createDisk(create).getBody().getDiskId());
    LOG.info("ECS disk {} requested: {}", diskId, attempt);
    // A repeated create returns the same disk in whatever state it reached since.
    return await(
            diskId,
            "finish being created",
            disk -> disk.isPresent() && !EcsDisk.CREATING.equals(status(disk)))
        .orElseThrow()
        .toDisk();
  }

  @Override
  public Attachment attach(String diskId) {
    String attempt = "attach disk " + diskId + " to ECS instance " + settings.vmId();
    EcsDisk disk =
        describe(diskId)
            .orElseThrow(
                () ->
                    new PermanentIaasException(
                        "cannot "
                            + attempt
                            + ": there is no such disk in region "
                            + settings.regionId()));
    boolean oursAlready =
        disk.inUseOn(settings.vmId())
            || (EcsDisk.ATTACHING.equals(disk.status())
                && settings.vmId().equals(disk.instanceId()));
    if (!oursAlready) {
      boolean leavingAnother = EcsDisk.DETACHING.equals(disk.status());
      if (!disk.instanceId().isBlank()
          && !settings.vmId().equals(disk.instanceId())
          && !leavingAnother) {
        throw new PermanentIaasException(
            "cannot "
                + attempt
                + ": it is attached to ECS instance "
                + disk.instanceId()
                + "; detach it there first");
      }
      if (!EcsDisk.AVAILABLE.equals(disk.status())) {
        await(diskId, "become Available", AlibabaDiskProvisioner::availableOrGone);
      }
      AttachDiskRequest request =
          new AttachDiskRequest().setInstanceId(settings.vmId()).setDiskId(diskId);
      call("AttachDisk", attempt, () -> ecs.attachDisk(request));
      LOG.info("ECS disk {} attaching to {}", diskId, settings.vmId());
    }
    EcsDisk attached =
        await(
                diskId,
                "become In_use on " + settings.vmId(),
                state -> {
                  if (state.isEmpty()) {
                    throw new PermanentIaasException(
                        "cannot " + attempt + ": the disk disappeared while attaching");
                  }
                  return state.get().inUseOn(settings.vmId());
                })
            .orElseThrow();
    return new Attachment(diskId, attached.deviceHints());
  }

  @Override
  public void detach(String diskId) {
    Optional<EcsDisk> disk = describe(diskId);
    if (attaching(disk)) {
      disk = await(diskId, "finish attaching", state -> !attaching(state));
    }
    if (disk.isEmpty() || !disk.get().attachedTo(settings.vmId())) {
      return;
    }
    if (!EcsDisk.DETACHING.equals(disk.get().status())) {
      DetachDiskRequest request =
          new DetachDiskRequest().setInstanceId(settings.vmId()).setDiskId(diskId);
      String attempt = "detach disk " + diskId + " from ECS instance " + settings.vmId();
      if (!callUnlessGone("DetachDisk", attempt, () -> ecs.detachDisk(request))) {
        return;
      }
      LOG.info("ECS disk {} detaching from {}", diskId, settings.vmId());
    }
    await(diskId, "become Available after detaching", AlibabaDiskProvisioner::availableOrGone);
  }

  @Override
  public void delete(String diskId) {
    DeleteDiskRequest request = new DeleteDiskRequest().setDiskId(diskId);
    if (callUnlessGone("DeleteDisk", "delete disk " + diskId, () -> ecs.deleteDisk(request))) {
      LOG.info("ECS disk {} deleted", diskId);
      await(diskId, "disappear", Optional::isEmpty);
    }
  }

  @Override
  public List<Disk> listByTags(Map<String, String> tags) {
    List<DescribeDisksRequest.DescribeDisksRequestTag> filter = new ArrayList<>();
    new TreeMap<>(tags)
        .entrySet().stream()
            .limit(SERVER_SIDE_TAGS)
            .forEach(
                tag ->
                    filter.add(
                        new DescribeDisksRequest.DescribeDisksRequestTag()
                            .setKey(tag.getKey())
                            .setValue(tag.getValue())));
    List<Disk> disks = new ArrayList<>();
    String nextToken = null;
    do {
      DescribeDisksRequest request =
          new DescribeDisksRequest()
              .setRegionId(settings.regionId())
              .setTag(filter)
              .setMaxResults(PAGE_SIZE)
              .setNextToken(nextToken);
      DescribeDisksResponseBody page =
          call(
              "DescribeDisks",
              "list the disks tagged " + tags + " in region " + settings.regionId(),
              () -> ecs.describeDisks(request).getBody());
      for (EcsDisk disk : disks(page)) {
        if (disk.tags().entrySet().containsAll(tags.entrySet())) {
          disks.add(disk.toDisk());
        }
      }
      nextToken = page.getNextToken();
    } while (nextToken != null && !nextToken.isEmpty());
    return disks;
  }

  /** The size to ask for: at least the category's minimum, which ECS would refuse to go under. */
  static int sizeFor(int requestedGiB, String category) {
    return Math.max(requestedGiB, MINIMUM_SIZE_GIB.getOrDefault(category, 1));
  }

  /** ECS's ClientToken for an idempotency key: ASCII, at most 64 characters, stable. */
  static String clientToken(String idempotencyKey) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "pgshuttle-" + HexFormat.of().formatHex(digest).substring(0, CLIENT_TOKEN_HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** A DiskName ECS accepts (a letter first; letters, digits, {@code .:_-}; 2 to 128 long). */
  static String diskName(String idempotencyKey) {
    String name = "pgshuttle-" + idempotencyKey.replaceAll("[^A-Za-z0-9.:_-]", "-");
    return name.length() <= DISK_NAME_MAX ? name : name.substring(0, DISK_NAME_MAX);
  }

  private Optional<EcsDisk> describe(String diskId) {
    DescribeDisksRequest request =
        new DescribeDisksRequest()
            .setRegionId(settings.regionId())
            .setDiskIds("[" + jsonString(diskId) + "]");
    DescribeDisksResponseBody body =
        call(
            "DescribeDisks",
            "look up disk " + diskId + " in region " + settings.regionId(),
            () -> ecs.describeDisks(request).getBody());
    return disks(body).stream().filter(disk -> disk.id().equals(diskId)).findFirst();
  }

  /**
   * Polls the disk until {@code done} holds, for at most operationTimeout. A transient error of one
   * poll does not end the wait; it becomes the cause if the wait times out.
   */
  private Optional<EcsDisk> await(String diskId, String goal, Predicate<Optional<EcsDisk>> done) {
    long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
    TransientIaasException lastError = null;
    while (true) {
      try {
        Optional<EcsDisk> state = describe(diskId);
        if (done.test(state)) {
          return state;
        }
      } catch (TransientIaasException e) {
        lastError = e;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TransientIaasException(
            "ECS disk "
                + diskId
                + " did not "
                + goal
                + " within "
                + settings.operationTimeout()
                + " ("
                + AlibabaSettings.key(AlibabaSettings.OPERATION_TIMEOUT)
                + "); it may still get there: try again, or raise the timeout",
            lastError);
      }
      sleep(Duration.ofNanos(Math.min(left, settings.pollInterval().toNanos())), diskId, goal);
    }
  }

  private static void sleep(Duration pause, String diskId, String goal) {
    try {
      Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientIaasException(
          "interrupted while waiting for ECS disk " + diskId + " to " + goal, e);
    }
  }

  private static boolean availableOrGone(Optional<EcsDisk> state) {
    return state.isEmpty() || EcsDisk.AVAILABLE.equals(state.get().status());
  }

  private static boolean attaching(Optional<EcsDisk> state) {
    return EcsDisk.ATTACHING.equals(status(state));
  }

  private static String status(Optional<EcsDisk> state) {
    return state.map(EcsDisk::status).orElse("");
  }

  private static List<EcsDisk> disks(DescribeDisksResponseBody body) {
    if (body == null || body.getDisks() == null || body.getDisks().getDisk() == null) {
      return List.of();
    }
    return body.getDisks().getDisk().stream().map(AlibabaDiskProvisioner::ecsDisk).toList();
  }

  private static EcsDisk ecsDisk(DescribeDisksResponseBodyDisksDisk disk) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (disk.getTags() != null && disk.getTags().getTag() != null) {
      disk.getTags().getTag().forEach(tag -> tags.put(tag.getTagKey(), tag.getTagValue()));
    }
    return new EcsDisk(
        disk.getDiskId(),
        orEmpty(disk.getStatus()),
        orEmpty(disk.getInstanceId()),
        orEmpty(disk.getDevice()),
        orEmpty(disk.getSerialNumber()),
        disk.getSize() == null ? 0 : disk.getSize(),
        tags);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  private static String jsonString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** One SDK call; its checked {@code Exception} is what the SDK declares everywhere. */
  @FunctionalInterface
  private interface EcsCall<T> {
    T run() throws Exception;
  }

  private <T> T call(String action, String attempt, EcsCall<T> call) {
    try {
      return call.run();
    } catch (Exception e) {
      throw errors.translate(action, attempt, e);
    }
  }

  /** Runs a call on a disk; false when ECS says the disk does not exist. */
  private boolean callUnlessGone(String action, String attempt, EcsCall<?> call) {
    try {
      call.run();
      return true;
    } catch (Exception e) {
      if (AlibabaErrors.diskNotFound(e)) {
        return false;
      }
      throw errors.translate(action, attempt, e);
    }
  }
}
