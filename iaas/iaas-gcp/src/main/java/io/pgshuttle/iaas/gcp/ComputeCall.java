package io.pgshuttle.iaas.gcp;

/** The Compute API calls the provider makes, with what each does and the permission it needs. */
enum ComputeCall {
  CREATE_DISK("create disk", "compute.disks.create and compute.disks.setLabels"),
  GET_DISK("read disk", "compute.disks.get"),
  LIST_DISKS("list the disks of", "compute.disks.list"),
  DELETE_DISK("delete disk", "compute.disks.delete"),
  GET_INSTANCE("read instance", "compute.instances.get"),
  ATTACH_DISK("attach disk", "compute.instances.attachDisk and compute.disks.use"),
  DETACH_DISK("detach disk", "compute.instances.detachDisk"),
  GET_OPERATION("follow operation", "compute.zoneOperations.get");

  /** What the call does, followed by its target in messages: "create disk pgshuttle-1a2b". */
  final String action;

  /** The IAM permissions the call needs. */
  final String permission;

  ComputeCall(String action, String permission) {
    this.action = action;
    this.permission = permission;
  }
}
