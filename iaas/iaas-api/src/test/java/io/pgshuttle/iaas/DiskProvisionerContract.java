package io.pgshuttle.iaas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DiskProvisioner} must have. Each provider's test extends this class
 * and supplies a provisioner; the tests then run against it. Each operation is repeated, since
 * every operation must be idempotent.
 */
public abstract class DiskProvisionerContract {

  /** A provisioner for this test; called once per test. */
  protected abstract DiskProvisioner provisioner();

  private static DiskRequest request(String migrationId) {
    return new DiskRequest(
        migrationId + "-1", 1, DiskTags.forAttempt("vm-contract", migrationId, 1));
  }

  @Test
  void createIsIdempotentByKey() {
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    Disk first = provisioner.create(request(migrationId));
    Disk second = provisioner.create(request(migrationId));

    assertEquals(first.id(), second.id());
    List<Disk> listed = provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId));
    assertEquals(1, listed.size(), "a repeated create must not make a second disk");
    assertEquals(migrationId, listed.get(0).tags().get(DiskTags.MIGRATION_ID));
    assertEquals("1", listed.get(0).tags().get(DiskTags.ATTEMPT));
    provisioner.delete(first.id());
  }

  @Test
  void fullLifeCycleWithEveryStepRepeated() {
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    Disk disk = provisioner.create(request(migrationId));
    assertFalse(disk.attached());

    Attachment attachment = provisioner.attach(disk.id());
    assertEquals(attachment, provisioner.attach(disk.id()));
    assertEquals(disk.id(), attachment.diskId());
    assertTrue(only(provisioner, migrationId).attached());

    provisioner.detach(disk.id());
    provisioner.detach(disk.id());
    assertFalse(only(provisioner, migrationId).attached());

    provisioner.delete(disk.id());
    provisioner.delete(disk.id());
    assertTrue(provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId)).isEmpty());
  }

  @Test
  void detachAndDeleteOfAnUnknownDiskSucceed() {
    DiskProvisioner provisioner = provisioner();
    String unknown = "pgshuttle-never-made-" + UUID.randomUUID();
    provisioner.detach(unknown);
    provisioner.delete(unknown);
  }

  @Test
  void listByTagsMatchesEveryTag() {
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    Disk disk = provisioner.create(request(migrationId));
    assertEquals(
        List.of(disk.id()),
        provisioner
            .listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId, DiskTags.ATTEMPT, "1"))
            .stream()
            .map(Disk::id)
            .toList());
    assertTrue(
        provisioner
            .listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId, DiskTags.ATTEMPT, "2"))
            .isEmpty());
    provisioner.delete(disk.id());
  }

  private static Disk only(DiskProvisioner provisioner, String migrationId) {
    List<Disk> disks = provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId));
    assertEquals(1, disks.size());
    return disks.get(0);
  }
}
