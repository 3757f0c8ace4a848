package io.pgshuttle.iaas.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgshuttle.iaas.Attachment;
import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.Disk;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskRequest;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Disks as directories: {@code <root>/<id>.json} describes a disk, {@code <root>/<id>/} holds its
 * files. The id is derived from the idempotency key, so a repeated create finds the same disk.
 * Thread-safe within one JVM (methods are synchronized); one agent per root.
 */
final class LocalDiskProvisioner implements DiskProvisioner {
  private static final long GIB = 1L << 30;
  private static final String ID_PREFIX = "local-";

  private final Path root;
  private final long capacityGiB;
  private final ObjectMapper mapper = new ObjectMapper();

  LocalDiskProvisioner(Path root, long capacityGiB) {
    this.root = root;
    this.capacityGiB = capacityGiB;
  }

  @Override
  public String id() {
    return LocalDiskProvisionerProvider.ID;
  }

  @Override
  public synchronized Disk create(DiskRequest request) {
    requireUsableRoot();
    String id = idFor(request.idempotencyKey());
    Optional<Disk> existing = read(id);
    if (existing.isPresent()) {
      return existing.get();
    }
    long allocated = list().stream().mapToLong(Disk::sizeGiB).sum();
    if (allocated + request.sizeGiB() > capacityGiB) {
      throw new PermanentIaasException(
          "local disk quota exceeded: "
              + allocated
              + " of "
              + capacityGiB
              + " GiB in use under "
              + root
              + ", "
              + request.sizeGiB()
              + " GiB more requested; delete old disks (pgshuttle gc) or raise capacityGiB");
    }
    long usable = usableBytes();
    if (usable < request.sizeGiB() * GIB) {
      throw new PermanentIaasException(
          "disk root "
              + root
              + " has "
              + usable / GIB
              + " GiB free, the disk needs "
              + request.sizeGiB()
              + " GiB: free space there or set PGSHUTTLE_LOCAL_DISK_ROOT to a larger file system");
    }
    Disk disk = new Disk(id, request.sizeGiB(), request.tags(), false);
    try {
      Files.createDirectories(dataDirectory(id));
    } catch (IOException e) {
      throw new PermanentIaasException("cannot create disk directory under " + root + ": " + e, e);
    }
    write(disk);
    return disk;
  }

  @Override
  public synchronized Attachment attach(String diskId) {
    Disk disk =
        read(diskId)
            .orElseThrow(
                () ->
                    new PermanentIaasException("cannot attach disk " + diskId + ": no such disk"));
    if (!disk.attached()) {
      write(new Disk(disk.id(), disk.sizeGiB(), disk.tags(), true));
    }
    return Attachment.of(
        diskId, new DeviceHint(DeviceHint.DIRECTORY, dataDirectory(diskId).toString()));
  }

  @Override
  public synchronized void detach(String diskId) {
    read(diskId)
        .filter(Disk::attached)
        .ifPresent(disk -> write(new Disk(disk.id(), disk.sizeGiB(), disk.tags(), false)));
  }

  @Override
  public synchronized void delete(String diskId) {
    Optional<Disk> disk = read(diskId);
    if (disk.isEmpty()) {
      return;
    }
    if (disk.get().attached()) {
      throw new TransientIaasException(
          "disk " + diskId + " is attached: detach it before deleting it");
    }
    try {
      deleteTree(dataDirectory(diskId));
      Files.deleteIfExists(metadataFile(diskId));
    } catch (IOException e) {
      throw new TransientIaasException("cannot delete disk " + diskId + ": " + e, e);
    }
  }

  @Override
  public synchronized List<Disk> listByTags(Map<String, String> tags) {
    return list().stream()
        .filter(disk -> disk.tags().entrySet().containsAll(tags.entrySet()))
        .toList();
  }

  private List<Disk> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Disk> disks = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(root, ID_PREFIX + "*.json")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        read(name.substring(0, name.length() - ".json".length())).ifPresent(disks::add);
      }
    } catch (IOException e) {
      throw new TransientIaasException("cannot list disks under " + root + ": " + e, e);
    }
    disks.sort(Comparator.comparing(Disk::id));
    return disks;
  }

  private void requireUsableRoot() {
    if (!Files.isDirectory(root) || !Files.isWritable(root)) {
      throw new PermanentIaasException(
          "disk root "
              + root
              + " does not exist or is not writable: create it or set PGSHUTTLE_LOCAL_DISK_ROOT");
    }
  }

  private long usableBytes() {
    try {
      return Files.getFileStore(root).getUsableSpace();
    } catch (IOException e) {
      throw new TransientIaasException("cannot read free space of " + root + ": " + e, e);
    }
  }

  private Optional<Disk> read(String diskId) {
    if (!diskId.startsWith(ID_PREFIX) || diskId.contains("/")) {
      return Optional.empty();
    }
    Path file = metadataFile(diskId);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(mapper.readValue(file.toFile(), Disk.class));
    } catch (IOException e) {
      throw new TransientIaasException("cannot read disk " + diskId + ": " + e, e);
    }
  }

  private void write(Disk disk) {
    Path file = metadataFile(disk.id());
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.writeString(temporary, mapper.writeValueAsString(disk), StandardCharsets.UTF_8);
      try {
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new TransientIaasException("cannot record disk " + disk.id() + ": " + e, e);
    }
  }

  private Path metadataFile(String diskId) {
    return root.resolve(diskId + ".json");
  }

  private Path dataDirectory(String diskId) {
    return root.resolve(diskId);
  }

  private static String idFor(String idempotencyKey) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return ID_PREFIX + HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void deleteTree(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
