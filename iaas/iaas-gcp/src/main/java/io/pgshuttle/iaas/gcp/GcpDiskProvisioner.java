package io.pgshuttle.iaas.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.compute.v1.AttachDiskInstanceRequest;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.DeleteDiskRequest;
import com.google.cloud.compute.v1.DetachDiskInstanceRequest;
import com.google.cloud.compute.v1.DisksClient;
import com.google.cloud.compute.v1.GetDiskRequest;
import com.google.cloud.compute.v1.GetInstanceRequest;
import com.google.cloud.compute.v1.GetZoneOperationRequest;
import com.google.cloud.compute.v1.InsertDiskRequest;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.ListDisksRequest;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.TransientIaasException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zonal persistent disks in the VM's zone. A disk's id is its name, derived from the idempotency
 * key; it is attached with that name as its device name, so it shows up in the VM as {@code
 * /dev/disk/by-id/google-<name>}. Every mutation is a zone operation that this class polls until it
 * is DONE, for at most {@code operationTimeout}. It polls itself rather than through the SDK's
 * OperationFuture, whose failure keeps only the operation's HTTP status (403 for both a missing
 * permission and QUOTA_EXCEEDED) and not its error code. Thread-safe (the SDK clients are).
 */
final class GcpDiskProvisioner implements DiskProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(GcpDiskProvisioner.class);
  private static final String BY_ID = "/dev/disk/by-id/google-";

  private final GcpConfig config;
  private final GcpErrors errors;
  private final DisksClient disks;
  private final InstancesClient instances;
  private final ZoneOperationsClient operations;

  GcpDiskProvisioner(
      GcpConfig config,
      DisksClient disks,
      InstancesClient instances,
      ZoneOperationsClient operations) {
    this.config = config;
    this.errors = new GcpErrors(config);
    this.disks = disks;
    this.instances = instances;
    this.operations = operations;
  }

  @Override
  public String id() {
    return GcpDiskProvisionerProvider.ID;
  }

  @Override
  public Disk create(DiskRequest request) {
    String name = GcpNaming.diskName(request.idempotencyKey());
    InsertDiskRequest insert =
        InsertDiskRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setRequestId(GcpNaming.requestId(request.idempotencyKey()))
            .setDiskResource(
                com.google.cloud.compute.v1.Disk.newBuilder()
                    .setName(name)
                    .setSizeGb(request.sizeGiB())
                    .setType(config.diskTypePath())
                    .putAllLabels(GcpNaming.labels(request.tags()))
                    .setDescription(GcpNaming.description(request.tags())))
            .build();
    Optional<GcpError> failure =
        run(ComputeCall.CREATE_DISK, name, () -> disks.insertCallable().call(insert));
    if (failure.isPresent()) {
      if (!failure.get().alreadyExists()) {
        throw errors.translate(failure.get(), ComputeCall.CREATE_DISK, name);
      }
      LOG.info("disk {} exists already: an earlier create with the same key made it", name);
    }
    return disk(awaitReady(name));
  }

  @Override
  public Attachment attach(String diskId) {
    Optional<String> attached = deviceName(diskId);
    if (attached.isPresent()) {
      return attachment(diskId, attached.get());
    }
    AttachDiskInstanceRequest attach =
        AttachDiskInstanceRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setInstance(config.vmId())
            .setAttachedDiskResource(
                AttachedDisk.newBuilder()
                    .setSource(config.diskPath(diskId))
                    .setDeviceName(diskId)
                    .setMode(AttachedDisk.Mode.READ_WRITE.toString())
                    .setType(AttachedDisk.Type.PERSISTENT.toString())
                    .setAutoDelete(false))
            .build();
    run(ComputeCall.ATTACH_DISK, diskId, () -> instances.attachDiskCallable().call(attach))
        .ifPresent(
            error -> {
              throw errors.translate(error, ComputeCall.ATTACH_DISK, diskId);
            });
    return attachment(diskId, diskId);
  }

  @Override
  public void detach(String diskId) {
    Optional<String> attached = deviceName(diskId);
    if (attached.isEmpty()) {
      return;
    }
    DetachDiskInstanceRequest detach =
        DetachDiskInstanceRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setInstance(config.vmId())
            .setDeviceName(attached.get())
            .build();
    run(ComputeCall.DETACH_DISK, diskId, () -> instances.detachDiskCallable().call(detach))
        .filter(error -> !errors.targetGone(error))
        .ifPresent(
            error -> {
              throw errors.translate(error, ComputeCall.DETACH_DISK, diskId);
            });
  }

  @Override
  public void delete(String diskId) {
    DeleteDiskRequest delete =
        DeleteDiskRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setDisk(diskId)
            .build();
    run(ComputeCall.DELETE_DISK, diskId, () -> disks.deleteCallable().call(delete))
        .filter(error -> !errors.targetGone(error))
        .ifPresent(
            error -> {
              throw errors.translate(error, ComputeCall.DELETE_DISK, diskId);
            });
  }

  @Override
  public List<Disk> listByTags(Map<String, String> tags) {
    ListDisksRequest.Builder list =
        ListDisksRequest.newBuilder().setProject(config.project()).setZone(config.zone());
    GcpNaming.filter(tags).ifPresent(list::setFilter);
    String target = "zone " + config.zone();
    List<Disk> found = new ArrayList<>();
    try {
      // Pages are fetched as the iteration reaches them, so errors surface inside the loop.
      for (com.google.cloud.compute.v1.Disk resource : disks.list(list.build()).iterateAll()) {
        Disk disk = disk(resource);
        if (disk.tags().entrySet().containsAll(tags.entrySet())) {
          found.add(disk);
        }
      }
    } catch (ApiException e) {
      throw errors.translate(GcpError.of(e), ComputeCall.LIST_DISKS, target);
    }
    found.sort(Comparator.comparing(Disk::id));
    return found;
  }

  /** The device name under which the disk is attached to this VM, if it is. */
  private Optional<String> deviceName(String diskId) {
    GetInstanceRequest get =
        GetInstanceRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setInstance(config.vmId())
            .build();
    String source = config.diskPath(diskId);
    return read(ComputeCall.GET_INSTANCE, config.vmId(), () -> instances.get(get))
        .getDisksList()
        .stream()
        .filter(disk -> disk.getSource().equals(source) || disk.getSource().endsWith("/" + source))
        .map(AttachedDisk::getDeviceName)
        .findFirst();
  }

  private static Attachment attachment(String diskId, String deviceName) {
    return Attachment.of(diskId, new DeviceHint(DeviceHint.DEVICE_PATH, BY_ID + deviceName));
  }

  /**
   * Starts a mutation and waits until its zone operation is DONE.
   *
   * @return the error the call or its operation ended with, empty on success
   * @throws TransientIaasException if the operation is not DONE within operationTimeout
   */
  private Optional<GcpError> run(ComputeCall call, String target, Supplier<Operation> start) {
    Operation operation;
    try {
      operation = start.get();
    } catch (ApiException e) {
      GcpError error = GcpError.of(e);
      if (error.alreadyExists() || error.notFound()) {
        return Optional.of(error);
      }
      throw errors.translate(error, call, target);
    }
    Instant deadline = Instant.now().plus(config.operationTimeout());
    while (operation.getStatus() != Operation.Status.DONE) {
      String name = operation.getName();
      pauseBefore(deadline, "operation " + name + " to " + call.action + " " + target);
      GetZoneOperationRequest poll =
          GetZoneOperationRequest.newBuilder()
              .setProject(config.project())
              .setZone(config.zone())
              .setOperation(name)
              .build();
      operation = read(ComputeCall.GET_OPERATION, name, () -> operations.get(poll));
    }
    return operation.hasError() ? Optional.of(GcpError.of(operation)) : Optional.empty();
  }

  /** Polls the disk until it is READY; a disk whose creation FAILED is deleted, to be made anew. */
  private com.google.cloud.compute.v1.Disk awaitReady(String name) {
    GetDiskRequest get =
        GetDiskRequest.newBuilder()
            .setProject(config.project())
            .setZone(config.zone())
            .setDisk(name)
            .build();
    Instant deadline = Instant.now().plus(config.operationTimeout());
    while (true) {
      com.google.cloud.compute.v1.Disk disk =
          read(ComputeCall.GET_DISK, name, () -> disks.get(get));
      String status = disk.getStatus();
      if (status.equals(com.google.cloud.compute.v1.Disk.Status.READY.toString())) {
        return disk;
      }
      if (status.equals(com.google.cloud.compute.v1.Disk.Status.FAILED.toString())) {
        delete(name);
        throw new TransientIaasException(
            "GCP failed to create disk "
                + name
                + " in zone "
                + config.zone()
                + "; it has been deleted, so the next try creates it anew");
      }
      pauseBefore(deadline, "disk " + name + " (" + status + ") to become READY");
    }
  }

  private <T> T read(ComputeCall call, String target, Supplier<T> get) {
    try {
      return get.get();
    } catch (ApiException e) {
      throw errors.translate(GcpError.of(e), call, target);
    }
  }

  /** Sleeps one poll interval, or throws if the deadline has passed. */
  private void pauseBefore(Instant deadline, String waitingFor) {
    Duration left = Duration.between(Instant.now(), deadline);
    if (left.isNegative() || left.isZero()) {
      throw new TransientIaasException(
          "gave up waiting for "
              + waitingFor
              + " after agent.iaasSettings.operationTimeout ("
              + config.operationTimeout()
              + "); it may still finish, and a repeated call picks up its result");
    }
    try {
      Thread.sleep(Math.max(1, Math.min(config.pollInterval().toMillis(), left.toMillis())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientIaasException("interrupted while waiting for " + waitingFor, e);
    }
  }

  private static Disk disk(com.google.cloud.compute.v1.Disk resource) {
    return new Disk(
        resource.getName(),
        Math.toIntExact(resource.getSizeGb()),
        GcpNaming.tags(resource.getDescription(), resource.getLabelsMap()),
        resource.getUsersCount() > 0);
  }
}
