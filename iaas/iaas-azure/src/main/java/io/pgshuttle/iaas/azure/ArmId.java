package io.pgshuttle.iaas.azure;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an Azure Resource Manager id such as {@code
 * /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Compute/disks/<name>}. ARM compares
 * ids without regard to case (it often answers with the resource group in capitals), so {@link
 * #sameAs} does too. Immutable; no field is null.
 */
record ArmId(String subscriptionId, String resourceGroup, String type, String name) {
  static final String DISKS = "Microsoft.Compute/disks";
  static final String VIRTUAL_MACHINES = "Microsoft.Compute/virtualMachines";

  private static final Pattern FORM =
      Pattern.compile(
          "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/([^/]+/[^/]+)/([^/]+)",
          Pattern.CASE_INSENSITIVE);

  /** The id of a resource of {@code type}, or empty if {@code id} is not one. */
  static Optional<ArmId> parse(String id, String type) {
    Matcher matcher = FORM.matcher(id.trim());
    if (!matcher.matches() || !matcher.group(3).equalsIgnoreCase(type)) {
      return Optional.empty();
    }
    return Optional.of(new ArmId(matcher.group(1), matcher.group(2), type, matcher.group(4)));
  }

  static ArmId disk(String subscriptionId, String resourceGroup, String name) {
    return new ArmId(subscriptionId, resourceGroup, DISKS, name);
  }

  boolean sameAs(String id) {
    return id != null && toString().toLowerCase(Locale.ROOT).equals(id.toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return "/subscriptions/"
        + subscriptionId
        + "/resourceGroups/"
        + resourceGroup
        + "/providers/"
        + type
        + "/"
        + name;
  }
}
