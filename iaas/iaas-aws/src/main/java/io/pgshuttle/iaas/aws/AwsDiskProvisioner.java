package io.pgshuttle.iaas.aws;

import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;

/**
 * EBS volumes for the EC2 instance {@link AwsSettings#vmId()}.
 *
 * <p>Create is idempotent twice over: it first looks for a volume tagged with the request's token,
 * then creates with that token as EC2's {@code ClientToken}, so that EC2 itself answers a repeated
 * create with the first volume even before the tag search can see it. Attach waits on the state of
 * the attachment, not of the volume: a volume is {@code in-use} while its attachment is still
 * {@code attaching}. Thread-safe: attach is serialized, so that two attaches in this JVM never pick
 * the same device name.
 */
final class AwsDiskProvisioner implements DiskProvisioner {
  /** Tag holding the client token, so that a retried create finds its volume. */
  static final String IDEMPOTENCY_TAG = "pgshuttle-idempotency-token";

  private static final Logger log = LoggerFactory.getLogger(AwsDiskProvisioner.class);
  private static final Pattern DEVICE_LETTER = Pattern.compile("^/dev/(?:sd|xvd)([a-z])");
  private static final Set<VolumeState> GONE = Set.of(VolumeState.DELETING, VolumeState.DELETED);
  private static final Set<VolumeAttachmentState> PRESENT =
      Set.of(
          VolumeAttachmentState.ATTACHING,
          VolumeAttachmentState.ATTACHED,
          VolumeAttachmentState.BUSY,
          VolumeAttachmentState.DETACHING);
  private static final Set<VolumeAttachmentState> COMPLETE =
      Set.of(VolumeAttachmentState.ATTACHED, VolumeAttachmentState.BUSY);

  private final Ec2Client ec2;
  private final AwsSettings settings;

  AwsDiskProvisioner(Ec2Client ec2, AwsSettings settings) {
    this.ec2 = ec2;
    this.settings = settings;
  }

  @Override
  public String id() {
    return AwsDiskProvisionerProvider.ID;
  }

  @Override
  public Disk create(DiskRequest request) {
    String token = clientToken(request.idempotencyKey());
    Optional<Volume> earlier =
        findVolumes(List.of(tagFilter(IDEMPOTENCY_TAG, token))).stream().findFirst();
    String volumeId =
        earlier.isPresent()
            ? earlier.get().volumeId()
            : call(
                "CreateVolume",
                () ->
                    ec2.createVolume(
                            create ->
                                create
                                    .availabilityZone(settings.availabilityZone())
                                    .size(request.sizeGiB())
                                    .volumeType(settings.volumeType())
                                    .encrypted(
                                        settings.kmsKeyId().isPresent() ? Boolean.TRUE : null)
                                    .kmsKeyId(settings.kmsKeyId().orElse(null))
                                    .clientToken(token)
                                    .tagSpecifications(tagsOf(request, token)))
                        .volumeId());
    Volume available =
        await(
            "creation",
            volumeId,
            volume -> {
              Volume found =
                  volume.orElseThrow(
                      () ->
                          new PermanentIaasException(
                              "EBS volume "
                                  + volumeId
                                  + " made for idempotency key "
                                  + request.idempotencyKey()
                                  + " is gone: use a new key for a new disk"));
              if (found.state() == VolumeState.ERROR) {
                throw new PermanentIaasException(
                    "EBS volume "
                        + volumeId
                        + " could not be created (state error): check agent.iaasSettings.kmsKeyId"
                        + " and volumeType, then delete the volume");
              }
              return Optional.of(found).filter(v -> v.state() != VolumeState.CREATING);
            });
    log.info(
        "EBS volume {} ({} GiB {}) is {} in {}",
        volumeId,
        available.size(),
        available.volumeTypeAsString(),
        available.stateAsString(),
        available.availabilityZone());
    return toDisk(available);
  }

  @Override
  public synchronized Attachment attach(String diskId) {
    Volume volume =
        describeVolume(diskId)
            .orElseThrow(
                () ->
                    new PermanentIaasException(
                        "cannot attach EBS volume "
                            + diskId
                            + ": it does not exist in region "
                            + settings.region()));
    Optional<VolumeAttachment> ours = attachmentToThisVm(volume);
    if (ours.isPresent() && ours.get().state() == VolumeAttachmentState.DETACHING) {
      throw new TransientIaasException(
          "EBS volume " + diskId + " is being detached from this VM: attach it again later");
    }
    if (ours.isEmpty()) {
      requireNotAttachedElsewhere(volume);
      String device = freeDeviceName();
      call(
          "AttachVolume",
          () ->
              ec2.attachVolume(
                  attach -> attach.volumeId(diskId).instanceId(settings.vmId()).device(device)));
      log.info("attaching EBS volume {} to {} as {}", diskId, settings.vmId(), device);
    }
    VolumeAttachment attached =
        await(
            "attachment",
            diskId,
            found ->
                found
                    .flatMap(this::attachmentToThisVm)
                    .filter(attachment -> COMPLETE.contains(attachment.state())));
    return attachmentOf(diskId, attached.device());
  }

  @Override
  public void detach(String diskId) {
    Optional<VolumeAttachment> ours = describeVolume(diskId).flatMap(this::attachmentToThisVm);
    if (ours.isEmpty()) {
      return;
    }
    if (ours.get().state() != VolumeAttachmentState.DETACHING) {
      try {
        ec2.detachVolume(detach -> detach.volumeId(diskId).instanceId(settings.vmId()));
      } catch (SdkException e) {
        if (AwsErrors.isVolumeAbsent(e)
            || (AwsErrors.mayBeDetachedAlready(e)
                && describeVolume(diskId).flatMap(this::attachmentToThisVm).isEmpty())) {
          return;
        }
        throw AwsErrors.translate("DetachVolume", e);
      }
    }
    await(
        "detachment",
        diskId,
        found ->
            found.flatMap(this::attachmentToThisVm).isEmpty()
                ? Optional.of(Boolean.TRUE)
                : Optional.empty());
    log.info("detached EBS volume {} from {}", diskId, settings.vmId());
  }

  @Override
  public void delete(String diskId) {
    Optional<Volume> volume = describeVolume(diskId);
    if (volume.isEmpty()) {
      return;
    }
    if (volume.get().state() != VolumeState.DELETING) {
      try {
        ec2.deleteVolume(delete -> delete.volumeId(diskId));
      } catch (SdkException e) {
        if (AwsErrors.isVolumeAbsent(e)) {
          return;
        }
        throw AwsErrors.translate("DeleteVolume", e);
      }
    }
    await(
        "deletion",
        diskId,
        found -> found.isEmpty() ? Optional.of(Boolean.TRUE) : Optional.empty());
    log.info("deleted EBS volume {}", diskId);
  }

  @Override
  public List<Disk> listByTags(Map<String, String> tags) {
    return findVolumes(
            tags.entrySet().stream().map(tag -> tagFilter(tag.getKey(), tag.getValue())).toList())
        .stream()
        .map(this::toDisk)
        .toList();
  }

  /** Volumes matching every filter, oldest first, without those being deleted. */
  private List<Volume> findVolumes(List<Filter> filters) {
    return call(
        "DescribeVolumes",
        () ->
            ec2
                .describeVolumesPaginator(
                    describe -> {
                      if (!filters.isEmpty()) {
                        describe.filters(filters);
                      }
                    })
                .volumes()
                .stream()
                .filter(volume -> !GONE.contains(volume.state()))
                .sorted(
                    Comparator.comparing(
                            Volume::createTime, Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(Volume::volumeId))
                .toList());
  }

  /** The volume, empty if it does not exist or is deleted. */
  private Optional<Volume> describeVolume(String volumeId) {
    try {
      return ec2.describeVolumes(describe -> describe.volumeIds(volumeId)).volumes().stream()
          .filter(volume -> volume.state() != VolumeState.DELETED)
          .findFirst();
    } catch (SdkException e) {
      if (AwsErrors.isVolumeAbsent(e)) {
        return Optional.empty();
      }
      throw AwsErrors.translate("DescribeVolumes", e);
    }
  }

  /**
   * Polls the volume until {@code outcome} gives a result, or throws when operationTimeout has
   * passed. Transient errors of a poll do not end the wait: the next poll may succeed.
   */
  private <T> T await(
      String operation, String volumeId, Function<Optional<Volume>, Optional<T>> outcome) {
    long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
    String lastSeen = "nothing yet";
    while (true) {
      try {
        Optional<Volume> volume = describeVolume(volumeId);
        Optional<T> result = outcome.apply(volume);
        if (result.isPresent()) {
          return result.get();
        }
        lastSeen = volume.map(this::describeState).orElse("the volume is gone");
      } catch (TransientIaasException e) {
        lastSeen = e.getMessage();
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TransientIaasException(
            "the "
                + operation
                + " of EBS volume "
                + volumeId
                + " did not finish within agent.iaasSettings.operationTimeout ("
                + settings.operationTimeout()
                + "); last seen: "
                + lastSeen);
      }
      pause(operation, volumeId);
    }
  }

  private void pause(String operation, String volumeId) {
    try {
      Thread.sleep(settings.pollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientIaasException(
          "interrupted while waiting for the " + operation + " of EBS volume " + volumeId, e);
    }
  }

  private String describeState(Volume volume) {
    return "volume "
        + volume.stateAsString()
        + attachmentToThisVm(volume)
            .map(
                attachment ->
                    ", attachment to " + settings.vmId() + " " + attachment.stateAsString())
            .orElse("");
  }

  private Optional<VolumeAttachment> attachmentToThisVm(Volume volume) {
    return volume.attachments().stream()
        .filter(attachment -> settings.vmId().equals(attachment.instanceId()))
        .filter(attachment -> PRESENT.contains(attachment.state()))
        .findFirst();
  }

  private void requireNotAttachedElsewhere(Volume volume) {
    volume.attachments().stream()
        .filter(attachment -> PRESENT.contains(attachment.state()))
        .findFirst()
        .ifPresent(
            other -> {
              throw new PermanentIaasException(
                  "EBS volume "
                      + volume.volumeId()
                      + " is attached to instance "
                      + other.instanceId()
                      + ", not to this VM (agent.iaasSettings.vmId "
                      + settings.vmId()
                      + "): detach it there first");
            });
  }

  /** The first of /dev/sdf../dev/sdp that no block device of this VM uses (as sdX or xvdX). */
  private String freeDeviceName() {
    Instance instance =
        call(
                "DescribeInstances",
                () ->
                    ec2
                        .describeInstances(describe -> describe.instanceIds(settings.vmId()))
                        .reservations()
                        .stream()
                        .flatMap(reservation -> reservation.instances().stream())
                        .findFirst())
            .orElseThrow(
                () ->
                    new PermanentIaasException(
                        "EC2 knows no instance "
                            + settings.vmId()
                            + ": set agent.iaasSettings.vmId to this VM's instance id"));
    Set<Character> used =
        instance.blockDeviceMappings().stream()
            .map(InstanceBlockDeviceMapping::deviceName)
            .map(name -> DEVICE_LETTER.matcher(name == null ? "" : name))
            .filter(Matcher::find)
            .map(matcher -> matcher.group(1).charAt(0))
            .collect(Collectors.toSet());
    for (char letter = 'f'; letter <= 'p'; letter++) {
      if (!used.contains(letter)) {
        return "/dev/sd" + letter;
      }
    }
    throw new PermanentIaasException(
        "instance "
            + settings.vmId()
            + " uses every device name from /dev/sdf to /dev/sdp: detach volumes it no longer"
            + " needs");
  }

  /**
   * Where the kernel shows the volume: on Nitro instances as an NVMe device whose by-id name holds
   * the volume id, on Xen instances under the requested name or its xvd form.
   */
  private static Attachment attachmentOf(String volumeId, String device) {
    String alternative =
        device.startsWith("/dev/sd")
            ? "/dev/xvd" + device.substring("/dev/sd".length())
            : device.replaceFirst("^/dev/xvd", "/dev/sd");
    return new Attachment(
        volumeId,
        List.of(
            new DeviceHint(DeviceHint.DEVICE_PATH, nvmeDevicePath(volumeId)),
            new DeviceHint(DeviceHint.DEVICE_PATH, device),
            new DeviceHint(DeviceHint.DEVICE_PATH, alternative)));
  }

  /** {@code /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123...} for {@code vol-0123...}. */
  static String nvmeDevicePath(String volumeId) {
    return "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volumeId.replaceFirst("-", "");
  }

  private Disk toDisk(Volume volume) {
    Map<String, String> tags = new LinkedHashMap<>();
    volume.tags().forEach(tag -> tags.put(tag.key(), tag.value()));
    boolean attached =
        volume.attachments().stream().anyMatch(attachment -> PRESENT.contains(attachment.state()));
    return new Disk(volume.volumeId(), volume.size(), tags, attached);
  }

  private static TagSpecification tagsOf(DiskRequest request, String token) {
    Map<String, String> tags = new LinkedHashMap<>(request.tags());
    tags.putIfAbsent("Name", "pgshuttle-" + request.idempotencyKey());
    tags.put(IDEMPOTENCY_TAG, token);
    return TagSpecification.builder()
        .resourceType(ResourceType.VOLUME)
        .tags(
            tags.entrySet().stream()
                .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
                .toList())
        .build();
  }

  private static Filter tagFilter(String key, String value) {
    return Filter.builder().name("tag:" + key).values(value).build();
  }

  /** EC2's ClientToken (at most 64 ASCII characters) for an idempotency key. */
  static String clientToken(String idempotencyKey) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static <T> T call(String action, Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw AwsErrors.translate(action, e);
    }
  }
}
