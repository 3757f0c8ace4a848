package io.pgshuttle.iaas.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.compute.fluent.DisksClient;
import com.azure.resourcemanager.compute.fluent.VirtualMachinesClient;
import com.azure.resourcemanager.compute.fluent.models.DiskInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineUpdateInner;
import com.azure.resourcemanager.compute.models.CachingTypes;
import com.azure.resourcemanager.compute.models.CreationData;
import com.azure.resourcemanager.compute.models.DataDisk;
import com.azure.resourcemanager.compute.models.DiskCreateOption;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskSku;
import com.azure.resourcemanager.compute.models.DiskState;
import com.azure.resourcemanager.compute.models.DiskStorageAccountTypes;
import com.azure.resourcemanager.compute.models.ManagedDiskParameters;
import com.azure.resourcemanager.compute.models.StorageProfile;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import io.pgshuttle.iaas.azure.AzureErrors.Call;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed disks made in the configured resource group and attached to this VM by an update (PATCH)
 * of its {@code storageProfile.dataDisks} at the lowest free LUN. A disk's name is derived from the
 * idempotency key, so a retried create finds the disk an earlier call made. Every operation waits,
 * polling, until Azure reports it done or {@code operationTimeout} is up. Thread-safe: calls are
 * serialised, since two concurrent updates of the VM's data disks would overwrite each other.
 */
final class AzureDiskProvisioner implements DiskProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(AzureDiskProvisioner.class);
  private static final String NAME_PREFIX = "pgshuttle-";
  private static final int MAX_LUNS = 64;
  private static final String BY_LUN = "/dev/disk/azure/data/by-lun/";
  private static final Set<String> SETTLED = Set.of("succeeded", "failed", "canceled");

  private final DisksClient disks;
  private final VirtualMachinesClient virtualMachines;
  private final AzureSettings settings;

  AzureDiskProvisioner(
      DisksClient disks, VirtualMachinesClient virtualMachines, AzureSettings settings) {
    this.disks = disks;
    this.virtualMachines = virtualMachines;
    this.settings = settings;
  }

  @Override
  public String id() {
    return AzureDiskProvisionerProvider.ID;
  }

  @Override
  public synchronized Disk create(DiskRequest request) {
    ArmId id = settings.disk(nameFor(request.idempotencyKey()));
    Call call =
        new Call(
            "create disk " + id.name() + " in resource group " + id.resourceGroup(),
            "Microsoft.Compute/disks/write");
    Deadline deadline = Deadline.after(settings.operationTimeout());
    DiskInner disk =
        findDisk(id)
            .orElseGet(
                () ->
                    await(
                        () ->
                            disks.beginCreateOrUpdate(id.resourceGroup(), id.name(), spec(request)),
                        call,
                        deadline));
    Disk made = toDisk(awaitProvisioned(id, disk, call, deadline));
    LOG.info("Azure disk {} is ready ({} GiB)", made.id(), made.sizeGiB());
    return made;
  }

  @Override
  public synchronized Attachment attach(String diskId) {
    ArmId id = diskRef(diskId);
    Call call =
        new Call(
            "attach disk " + id.name() + " to VM " + settings.vm().name(),
            "Microsoft.Compute/virtualMachines/write");
    Deadline deadline = Deadline.after(settings.operationTimeout());
    DiskInner disk =
        findDisk(id)
            .orElseThrow(
                () ->
                    new PermanentIaasException(
                        "cannot "
                            + call.description()
                            + ": no such disk in resource group "
                            + id.resourceGroup()));
    if (disk.managedBy() != null && !settings.vm().sameAs(disk.managedBy())) {
      throw new TransientIaasException(
          "cannot "
              + call.description()
              + ": it is attached to VM "
              + disk.managedBy()
              + "; detach it there first");
    }
    VirtualMachineInner vm = vm();
    if (dataDisk(vm, id).isEmpty()) {
      List<DataDisk> wanted = new ArrayList<>(dataDisks(vm));
      int lun = freeLun(wanted, call);
      wanted.add(
          new DataDisk()
              .withLun(lun)
              .withCreateOption(DiskCreateOptionTypes.ATTACH)
              // A dump disk is written once and read once: the host cache would only get in the
              // way.
              .withCaching(CachingTypes.NONE)
              .withManagedDisk(new ManagedDiskParameters().withId(disk.id())));
      vm = updateDataDisks(wanted, call, deadline);
    }
    vm = awaitVmSettled(vm, call, deadline);
    if (!"succeeded".equals(state(vm.provisioningState()))) {
      throw new PermanentIaasException(
          "cannot "
              + call.description()
              + ": the VM is in provisioning state "
              + vm.provisioningState()
              + "; repair it (az vm reapply) and try again");
    }
    int lun =
        dataDisk(vm, id)
            .orElseThrow(
                () ->
                    new TransientIaasException(
                        "cannot "
                            + call.description()
                            + ": the VM does not list it after the update"))
            .lun();
    LOG.info("Azure disk {} is attached to VM {} at LUN {}", id, settings.vm(), lun);
    return new Attachment(
        diskId,
        List.of(
            new DeviceHint(DeviceHint.DEVICE_PATH, BY_LUN + lun),
            new DeviceHint(DeviceHint.SCSI_LUN, Integer.toString(lun))));
  }

  @Override
  public synchronized void detach(String diskId) {
    ArmId id = diskRef(diskId);
    Call call =
        new Call(
            "detach disk " + id.name() + " from VM " + settings.vm().name(),
            "Microsoft.Compute/virtualMachines/write");
    Deadline deadline = Deadline.after(settings.operationTimeout());
    VirtualMachineInner vm = vm();
    List<DataDisk> current = dataDisks(vm);
    List<DataDisk> wanted =
        new ArrayList<>(current.stream().filter(dataDisk -> !refersTo(dataDisk, id)).toList());
    if (wanted.size() != current.size()) {
      vm = updateDataDisks(wanted, call, deadline);
    }
    vm = awaitVmSettled(vm, call, deadline);
    if (dataDisk(vm, id).isPresent()) {
      throw new TransientIaasException(
          "cannot " + call.description() + ": the VM still lists it after the update");
    }
    LOG.info("Azure disk {} is not attached to VM {}", id, settings.vm());
  }

  @Override
  public synchronized void delete(String diskId) {
    ArmId id = diskRef(diskId);
    Call call = new Call("delete disk " + id.name(), "Microsoft.Compute/disks/delete");
    try {
      await(
          () -> disks.beginDelete(id.resourceGroup(), id.name()),
          call,
          Deadline.after(settings.operationTimeout()));
    } catch (IaasException e) {
      if (!AzureErrors.isNotFound(e)) {
        throw e;
      }
    }
    LOG.info("Azure disk {} is deleted", id);
  }

  @Override
  public synchronized List<Disk> listByTags(Map<String, String> tags) {
    Call call =
        new Call(
            "list disks in resource group " + settings.resourceGroup(),
            "Microsoft.Compute/disks/read");
    try {
      return disks.listByResourceGroup(settings.resourceGroup()).stream()
          .filter(
              disk -> disk.tags() != null && disk.tags().entrySet().containsAll(tags.entrySet()))
          .map(AzureDiskProvisioner::toDisk)
          .toList();
    } catch (RuntimeException e) {
      throw AzureErrors.translate(e, call);
    }
  }

  private DiskInner spec(DiskRequest request) {
    return new DiskInner()
        .withLocation(settings.location())
        .withZones(settings.zone().map(List::of).orElse(null))
        .withSku(new DiskSku().withName(DiskStorageAccountTypes.fromString(settings.diskType())))
        .withTags(request.tags())
        .withCreationData(new CreationData().withCreateOption(DiskCreateOption.EMPTY))
        .withDiskSizeGB(request.sizeGiB());
  }

  /** A disk id as this provider returns it, or a bare name in the configured resource group. */
  private ArmId diskRef(String diskId) {
    return ArmId.parse(diskId, ArmId.DISKS).orElseGet(() -> settings.disk(diskId));
  }

  private Optional<DiskInner> findDisk(ArmId id) {
    try {
      return Optional.of(disks.getByResourceGroup(id.resourceGroup(), id.name()));
    } catch (RuntimeException e) {
      if (AzureErrors.isNotFound(e)) {
        return Optional.empty();
      }
      throw AzureErrors.translate(
          e, new Call("read disk " + id.name(), "Microsoft.Compute/disks/read"));
    }
  }

  private DiskInner awaitProvisioned(ArmId id, DiskInner disk, Call call, Deadline deadline) {
    DiskInner current = disk;
    while (!"succeeded".equals(state(current.provisioningState()))) {
      if ("failed".equals(state(current.provisioningState()))) {
        throw new PermanentIaasException(
            "cannot "
                + call.description()
                + ": Azure reports the disk's provisioning failed; delete the disk (it holds no"
                + " data) and try again");
      }
      pause(call, deadline);
      current =
          findDisk(id)
              .orElseThrow(
                  () ->
                      new TransientIaasException(
                          "cannot " + call.description() + ": the disk vanished while being made"));
    }
    return current;
  }

  private VirtualMachineInner vm() {
    ArmId vm = settings.vm();
    try {
      return virtualMachines.getByResourceGroup(vm.resourceGroup(), vm.name());
    } catch (RuntimeException e) {
      if (AzureErrors.isNotFound(e)) {
        throw new PermanentIaasException(
            "VM "
                + vm
                + " does not exist: set agent.iaasSettings.vmId to this VM's resource id"
                + " (the instance metadata service's compute.resourceId)",
            e);
      }
      throw AzureErrors.translate(
          e, new Call("read VM " + vm.name(), "Microsoft.Compute/virtualMachines/read"));
    }
  }

  private VirtualMachineInner updateDataDisks(List<DataDisk> wanted, Call call, Deadline deadline) {
    ArmId vm = settings.vm();
    VirtualMachineUpdateInner update =
        new VirtualMachineUpdateInner()
            .withStorageProfile(new StorageProfile().withDataDisks(wanted));
    return await(
        () -> virtualMachines.beginUpdate(vm.resourceGroup(), vm.name(), update), call, deadline);
  }

  /** Waits until no operation runs on the VM, whatever its outcome. */
  private VirtualMachineInner awaitVmSettled(VirtualMachineInner vm, Call call, Deadline deadline) {
    VirtualMachineInner current = vm;
    while (!SETTLED.contains(state(current.provisioningState()))) {
      pause(call, deadline);
      current = vm();
    }
    return current;
  }

  /**
   * Starts a long-running operation and waits for its end.
   *
   * @throws IaasException translated from Azure's error, or on timeout
   */
  private <T> T await(Supplier<SyncPoller<PollResult<T>, T>> start, Call call, Deadline deadline) {
    try {
      SyncPoller<PollResult<T>, T> poller = start.get();
      poller.setPollInterval(settings.pollInterval());
      PollResponse<PollResult<T>> last = waitForCompletion(poller, call, deadline);
      if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
        PollResult.Error error = last.getValue() == null ? null : last.getValue().getError();
        throw AzureErrors.failedOperation(
            error == null ? 0 : error.getResponseStatusCode(),
            error == null ? null : error.getResponseBody(),
            call);
      }
      return poller.getFinalResult();
    } catch (RuntimeException e) {
      throw AzureErrors.translate(e, call);
    }
  }

  private <T> PollResponse<PollResult<T>> waitForCompletion(
      SyncPoller<PollResult<T>, T> poller, Call call, Deadline deadline) {
    try {
      return poller.waitForCompletion(deadline.remaining(call, settings.operationTimeout()));
    } catch (RuntimeException e) {
      for (Throwable cause = e; cause != null; cause = cause.getCause()) {
        if (cause instanceof TimeoutException) {
          throw AzureErrors.timeout(call, settings.operationTimeout());
        }
      }
      throw e;
    }
  }

  private void pause(Call call, Deadline deadline) {
    Duration remaining = deadline.remaining(call, settings.operationTimeout());
    try {
      Thread.sleep(Math.min(settings.pollInterval().toMillis(), remaining.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientIaasException("interrupted while waiting to " + call.description(), e);
    }
  }

  private static int freeLun(List<DataDisk> dataDisks, Call call) {
    Set<Integer> used = new HashSet<>();
    dataDisks.forEach(dataDisk -> used.add(dataDisk.lun()));
    for (int lun = 0; lun < MAX_LUNS; lun++) {
      if (!used.contains(lun)) {
        return lun;
      }
    }
    throw new PermanentIaasException(
        "cannot " + call.description() + ": all " + MAX_LUNS + " LUNs are in use; detach a disk");
  }

  private static List<DataDisk> dataDisks(VirtualMachineInner vm) {
    StorageProfile storage = vm.storageProfile();
    return storage == null || storage.dataDisks() == null ? List.of() : storage.dataDisks();
  }

  private static Optional<DataDisk> dataDisk(VirtualMachineInner vm, ArmId disk) {
    return dataDisks(vm).stream().filter(dataDisk -> refersTo(dataDisk, disk)).findFirst();
  }

  private static boolean refersTo(DataDisk dataDisk, ArmId disk) {
    return dataDisk.managedDisk() != null && disk.sameAs(dataDisk.managedDisk().id());
  }

  private static String state(String provisioningState) {
    // Azure always reports one; an absent state can only mean nothing is running.
    return provisioningState == null ? "succeeded" : provisioningState.toLowerCase(Locale.ROOT);
  }

  private static Disk toDisk(DiskInner disk) {
    return new Disk(
        disk.id(),
        Objects.requireNonNullElse(disk.diskSizeGB(), 0),
        disk.tags() == null ? Map.of() : disk.tags(),
        disk.managedBy() != null || DiskState.ATTACHED.equals(disk.diskState()));
  }

  private static String nameFor(String idempotencyKey) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return NAME_PREFIX + HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** When the current operation must be done by. */
  private record Deadline(long endNanos) {
    static Deadline after(Duration timeout) {
      return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    /**
     * The time left.
     *
     * @throws TransientIaasException if none is
     */
    Duration remaining(Call call, Duration operationTimeout) {
      long left = endNanos - System.nanoTime();
      if (left <= 0) {
        throw AzureErrors.timeout(call, operationTimeout);
      }
      return Duration.ofNanos(left);
    }
  }
}
