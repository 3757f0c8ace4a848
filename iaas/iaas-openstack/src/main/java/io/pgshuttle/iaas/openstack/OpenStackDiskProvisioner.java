package io.pgshuttle.iaas.openstack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import io.pgshuttle.iaas.openstack.OpenStackErrors.Call;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.storage.block.Volume;
import org.openstack4j.model.storage.block.VolumeAttachment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cinder volumes attached to this VM's Nova server. Cinder has no client token, so a create first
 * looks for a volume whose metadata carries the request's idempotency key, and names the volume
 * after the key. Every change is followed by polling the volume's status until it settles, bounded
 * by the operation timeout. Thread-safe: each call uses a client of its own.
 */
final class OpenStackDiskProvisioner implements DiskProvisioner {
  /** The metadata entry that makes create idempotent. */
  static final String IDEMPOTENCY_KEY = "pgshuttle-idempotency-key";

  static final String NAME_PREFIX = "pgshuttle-";

  /** QEMU passes the volume id to the guest as the virtio serial, truncated to 20 characters. */
  static final int VIRTIO_SERIAL_LENGTH = 20;

  private static final Set<Volume.Status> DEAD =
      EnumSet.of(Volume.Status.ERROR, Volume.Status.DELETING, Volume.Status.ERROR_DELETING);

  private static final Logger LOG = LoggerFactory.getLogger(OpenStackDiskProvisioner.class);

  private final KeystoneSession session;
  private final String vmId;
  private final String availabilityZone;
  private final Optional<String> volumeType;
  private final Duration operationTimeout;
  private final Duration pollInterval;
  private final ObjectMapper json = new ObjectMapper();

  OpenStackDiskProvisioner(
      KeystoneSession session,
      String vmId,
      String availabilityZone,
      Optional<String> volumeType,
      Duration operationTimeout,
      Duration pollInterval) {
    this.session = session;
    this.vmId = vmId;
    this.availabilityZone = availabilityZone;
    this.volumeType = volumeType;
    this.operationTimeout = operationTimeout;
    this.pollInterval = pollInterval;
  }

  @Override
  public String id() {
    return OpenStackDiskProvisionerProvider.ID;
  }

  @Override
  public Disk create(DiskRequest request) {
    OSClientV3 os = session.client();
    Volume volume =
        findByKey(os, request.idempotencyKey()).orElseGet(() -> createVolume(os, request));
    Volume settled =
        await(os, volume.getId(), "created", found -> status(found) != Volume.Status.CREATING)
            .orElseThrow(() -> gone(volume.getId(), "while Cinder created it"));
    if (settled.getStatus() == Volume.Status.ERROR) {
      throw new TransientIaasException(
          "Cinder could not create volume "
              + settled.getId()
              + " (status error; `openstack volume show "
              + settled.getId()
              + "` says why); a retry makes a new volume, and this one carries the request's"
              + " tags for its deletion");
    }
    return toDisk(settled);
  }

  /** The oldest live volume made for {@code idempotencyKey}; failed and dying ones do not count. */
  private Optional<Volume> findByKey(OSClientV3 os, String idempotencyKey) {
    return volumesTagged(os, Map.of(IDEMPOTENCY_KEY, idempotencyKey)).stream()
        .filter(volume -> !DEAD.contains(volume.getStatus()))
        .min(
            Comparator.comparing(
                    (Volume volume) -> Optional.ofNullable(volume.getCreated()).orElse(new Date(0)))
                .thenComparing(Volume::getId));
  }

  private Volume createVolume(OSClientV3 os, DiskRequest request) {
    Map<String, String> metadata = new HashMap<>(request.tags());
    metadata.put(IDEMPOTENCY_KEY, request.idempotencyKey());
    var volume =
        Builders.volume()
            .name(NAME_PREFIX + request.idempotencyKey())
            .size(request.sizeGiB())
            .zone(availabilityZone)
            .metadata(metadata);
    volumeType.ifPresent(volume::volumeType);
    String subject = "key " + request.idempotencyKey() + " in zone " + availabilityZone;
    Volume created =
        call(Call.CREATE_VOLUME, subject, () -> os.blockStorage().volumes().create(volume.build()));
    if (created == null) {
      // openstack4j answers a 404 with null; Cinder's only 404 to a create is an unknown type.
      throw OpenStackErrors.classify(
          Call.CREATE_VOLUME,
          subject,
          404,
          "volume type " + volumeType.orElse("(the default)") + " not found",
          null);
    }
    LOG.info(
        "created Cinder volume {} ({} GiB, zone {}) for key {}",
        created.getId(),
        request.sizeGiB(),
        availabilityZone,
        request.idempotencyKey());
    return created;
  }

  @Override
  public Attachment attach(String diskId) {
    OSClientV3 os = session.client();
    Volume volume =
        read(os, diskId)
            .orElseThrow(
                () ->
                    new PermanentIaasException(
                        "cannot attach volume " + diskId + ": Cinder has no such volume"));
    if (volume.getStatus() == Volume.Status.CREATING) {
      volume =
          await(os, diskId, "created", found -> status(found) != Volume.Status.CREATING)
              .orElseThrow(() -> gone(diskId, "before it was attached"));
    }
    if (isAttachedHere(volume) && volume.getStatus() == Volume.Status.IN_USE) {
      return attachment(volume);
    }
    Optional<String> otherServer = otherServer(volume);
    if (otherServer.isPresent()) {
      throw new PermanentIaasException(
          "volume "
              + diskId
              + " is attached to server "
              + otherServer.get()
              + ", not to this VM ("
              + vmId
              + "): detach it there, or check agent.iaasSettings.vmId");
    }
    if (volume.getStatus() == Volume.Status.AVAILABLE) {
      call(
          Call.ATTACH_VOLUME,
          "volume " + diskId + " to server " + vmId,
          () -> os.compute().servers().attachVolume(vmId, diskId, null));
    } else if (volume.getStatus() != Volume.Status.ATTACHING
        // "reserved", which openstack4j does not know: an attach is under way
        && volume.getStatus() != Volume.Status.UNRECOGNIZED) {
      throw new TransientIaasException(
          "cannot attach volume " + diskId + " while it is " + volume.getStatus());
    }
    // Nova reserves the volume before it answers: seeing it available again means Nova gave up.
    Volume settled =
        await(
                os,
                diskId,
                "attached to server " + vmId,
                found ->
                    status(found) == Volume.Status.AVAILABLE
                        || status(found) == Volume.Status.ERROR
                        || status(found) == Volume.Status.IN_USE && isAttachedHere(found.get()))
            .orElseThrow(() -> gone(diskId, "while Nova attached it"));
    if (!isAttachedHere(settled)) {
      throw new TransientIaasException(
          "Nova could not attach volume "
              + diskId
              + " to server "
              + vmId
              + " (volume now "
              + settled.getStatus()
              + "; `openstack server event list "
              + vmId
              + "` says why)");
    }
    LOG.info("attached Cinder volume {} to server {}", diskId, vmId);
    return attachment(settled);
  }

  @Override
  public void detach(String diskId) {
    OSClientV3 os = session.client();
    Optional<Volume> volume = read(os, diskId);
    if (volume.isEmpty()) {
      return;
    }
    if (isAttachedHere(volume.get()) && volume.get().getStatus() != Volume.Status.DETACHING) {
      ActionResponse response =
          call(
              Call.DETACH_VOLUME,
              "volume " + diskId + " from server " + vmId,
              () -> os.compute().servers().detachVolume(vmId, diskId));
      if (response.getCode() != 404) {
        OpenStackErrors.check(
            Call.DETACH_VOLUME, "volume " + diskId + " from server " + vmId, response);
      }
    } else if (volume.get().getStatus() != Volume.Status.DETACHING) {
      return;
    }
    Optional<Volume> settled =
        await(
            os,
            diskId,
            "detached from server " + vmId,
            found -> found.isEmpty() || found.get().getStatus() != Volume.Status.DETACHING);
    if (settled.isPresent() && isAttachedHere(settled.get())) {
      throw new TransientIaasException(
          "Nova could not detach volume "
              + diskId
              + " from server "
              + vmId
              + " (volume now "
              + settled.get().getStatus()
              + "; `openstack server event list "
              + vmId
              + "` says why)");
    }
    LOG.info("detached Cinder volume {} from server {}", diskId, vmId);
  }

  @Override
  public void delete(String diskId) {
    OSClientV3 os = session.client();
    Optional<Volume> volume = read(os, diskId);
    if (volume.isEmpty()) {
      return;
    }
    if (status(volume) == Volume.Status.CREATING) {
      volume = await(os, diskId, "created", found -> status(found) != Volume.Status.CREATING);
    }
    if (volume.isPresent() && !attachments(volume.get()).isEmpty()) {
      throw new TransientIaasException(
          "volume "
              + diskId
              + " is attached to server "
              + attachments(volume.get()).get(0).getServerId()
              + ": detach it before deleting it");
    }
    if (volume.isPresent() && volume.get().getStatus() != Volume.Status.DELETING) {
      ActionResponse response =
          call(
              Call.DELETE_VOLUME,
              "volume " + diskId,
              () -> os.blockStorage().volumes().delete(diskId));
      if (response.getCode() != 404) {
        OpenStackErrors.check(Call.DELETE_VOLUME, "volume " + diskId, response);
      }
    }
    Optional<Volume> left =
        await(
            os,
            diskId,
            "deleted",
            found -> found.isEmpty() || found.get().getStatus() == Volume.Status.ERROR_DELETING);
    if (left.isPresent()) {
      throw new TransientIaasException(
          "Cinder could not delete volume "
              + diskId
              + " (status error_deleting; `openstack volume show "
              + diskId
              + "` says why)");
    }
    LOG.info("deleted Cinder volume {}", diskId);
  }

  @Override
  public List<Disk> listByTags(Map<String, String> tags) {
    return volumesTagged(session.client(), tags).stream()
        .map(this::toDisk)
        .sorted(Comparator.comparing(Disk::id))
        .toList();
  }

  /**
   * The volumes whose metadata has every one of {@code tags}: Cinder filters by metadata, and the
   * result is filtered again here, since older Cinder releases ignore filters they do not know.
   * Cinder caps one answer at its {@code osapi_max_limit} (1000 by default).
   */
  private List<Volume> volumesTagged(OSClientV3 os, Map<String, String> tags) {
    List<? extends Volume> volumes =
        call(
            Call.LIST_VOLUMES,
            "metadata " + tags,
            () ->
                tags.isEmpty()
                    ? os.blockStorage().volumes().list()
                    : os.blockStorage().volumes().list(Map.of("metadata", metadataFilter(tags))));
    return volumes.stream()
        .filter(volume -> metadata(volume).entrySet().containsAll(tags.entrySet()))
        .map(Volume.class::cast)
        .toList();
  }

  /** Cinder reads the filter as a Python dict literal, which JSON of strings also is. */
  private String metadataFilter(Map<String, String> tags) {
    try {
      return json.writeValueAsString(tags);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always has a JSON form", e);
    }
  }

  private Optional<Volume> read(OSClientV3 os, String volumeId) {
    return Optional.ofNullable(
        call(
            Call.READ_VOLUME,
            "volume " + volumeId,
            () -> os.blockStorage().volumes().get(volumeId)));
  }

  /**
   * Polls the volume until {@code settled} holds for it (empty when it no longer exists).
   *
   * @throws TransientIaasException when the operation timeout passes first, naming the setting
   */
  private Optional<Volume> await(
      OSClientV3 os, String volumeId, String goal, Predicate<Optional<Volume>> settled) {
    Instant deadline = Instant.now().plus(operationTimeout);
    while (true) {
      Optional<Volume> volume = read(os, volumeId);
      if (settled.test(volume)) {
        return volume;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new TransientIaasException(
            "volume "
                + volumeId
                + " was not "
                + goal
                + " within "
                + operationTimeout
                + " (still "
                + status(volume)
                + "): the cloud is slow or stuck; raise agent.iaasSettings.operationTimeout if"
                + " it is only slow");
      }
      sleep(pollInterval);
    }
  }

  private static void sleep(Duration interval) {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientIaasException("interrupted while waiting for OpenStack", e);
    }
  }

  private static <T> T call(Call call, String subject, Supplier<T> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      throw OpenStackErrors.translate(call, subject, e);
    }
  }

  private Attachment attachment(Volume volume) {
    List<DeviceHint> hints = new ArrayList<>();
    String volumeId = volume.getId();
    hints.add(
        new DeviceHint(
            DeviceHint.BY_ID_SUFFIX,
            volumeId.substring(0, Math.min(VIRTIO_SERIAL_LENGTH, volumeId.length()))));
    attachments(volume).stream()
        .filter(attachment -> vmId.equals(attachment.getServerId()))
        .map(VolumeAttachment::getDevice)
        .filter(device -> device != null && !device.isBlank())
        .findFirst()
        .ifPresent(device -> hints.add(new DeviceHint(DeviceHint.DEVICE_PATH, device)));
    return new Attachment(volumeId, hints);
  }

  private boolean isAttachedHere(Volume volume) {
    return attachments(volume).stream()
        .anyMatch(attachment -> vmId.equals(attachment.getServerId()));
  }

  private Optional<String> otherServer(Volume volume) {
    return attachments(volume).stream()
        .map(VolumeAttachment::getServerId)
        .filter(server -> !vmId.equals(server))
        .findFirst();
  }

  private Disk toDisk(Volume volume) {
    return new Disk(
        volume.getId(), volume.getSize(), metadata(volume), !attachments(volume).isEmpty());
  }

  private static List<? extends VolumeAttachment> attachments(Volume volume) {
    return volume.getAttachments() == null ? List.of() : volume.getAttachments();
  }

  private static Map<String, String> metadata(Volume volume) {
    return volume.getMetaData() == null ? Map.of() : volume.getMetaData();
  }

  private static Volume.Status status(Optional<Volume> volume) {
    return volume.map(Volume::getStatus).orElse(null);
  }

  private static TransientIaasException gone(String volumeId, String when) {
    return new TransientIaasException(
        "volume " + volumeId + " disappeared " + when + ": someone deleted it");
  }
}
