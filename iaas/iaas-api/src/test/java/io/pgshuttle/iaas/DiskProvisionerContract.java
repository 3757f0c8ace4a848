package io.pgshuttle.iaas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link DiskProvisioner} must have. Each provider's test extends this class
 * and supplies a provisioner; the tests then run against it. Each operation is repeated, since
 * every operation must be idempotent. Providers tested against a stand-in of their cloud's API also
 * supply {@link CloudFaults}, and the error translation is tested too.
 */
public abstract class DiskProvisionerContract {

  /** A provisioner for this test; called once per test. */
  protected abstract DiskProvisioner provisioner();

  /**
   * Makes the cloud stand-in answer with errors; empty for a provider with no cloud API (local).
   */
  protected Optional<CloudFaults> faults() {
    return Optional.empty();
  }

  /** Errors a stand-in of a cloud API can answer the next call with. */
  public interface CloudFaults {
    /** The next call is throttled (HTTP 429 or the cloud's throttling error). */
    void throttleNextCall();

    /** The next call is refused for lack of permission (HTTP 403 or the cloud's error). */
    void denyNextCall();

    /** The next create exceeds the account's disk quota. */
    void exceedQuotaOnNextCreate();
  }

  private CloudFaults requireFaults() {
    Optional<CloudFaults> faults = faults();
    assumeTrue(
        faults.isPresent(),
        () -> provisioner().id() + " has no cloud API whose errors could be injected");
    return faults.get();
  }

  @Test
  void throttlingIsRetryableAndTheNextCallSucceeds() {
    CloudFaults faults = requireFaults();
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    faults.throttleNextCall();
    IaasException error =
        assertThrows(IaasException.class, () -> provisioner.create(request(migrationId)));
    assertTrue(error.retryable(), "throttling must be retryable: " + error);
    Disk disk = provisioner.create(request(migrationId));
    assertEquals(1, provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId)).size());
    provisioner.delete(disk.id());
  }

  @Test
  void authorizationFailureIsPermanent() {
    CloudFaults faults = requireFaults();
    DiskProvisioner provisioner = provisioner();
    faults.denyNextCall();
    IaasException error =
        assertThrows(
            IaasException.class, () -> provisioner.create(request(UUID.randomUUID().toString())));
    assertFalse(error.retryable(), "a denied call must not be retried: " + error);
  }

  @Test
  void quotaExceededIsPermanentAndMakesNoDisk() {
    CloudFaults faults = requireFaults();
    DiskProvisioner provisioner = provisioner();
    String migrationId = UUID.randomUUID().toString();
    faults.exceedQuotaOnNextCreate();
    IaasException error =
        assertThrows(IaasException.class, () -> provisioner.create(request(migrationId)));
    assertFalse(error.retryable(), "quota exceeded must not be retried: " + error);
    assertTrue(provisioner.listByTags(Map.of(DiskTags.MIGRATION_ID, migrationId)).isEmpty());
  }

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
