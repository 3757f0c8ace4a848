package io.pgshuttle.iaas.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import io.pgshuttle.iaas.IaasException;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.TransientIaasException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates Azure Resource Manager errors into the portable exceptions: throttling, conflicts with
 * a running operation, server and I/O errors are transient; authorization, quota and invalid
 * settings are permanent, and their messages say what to change. The SDK's exception is kept only
 * as the cause. Stateless.
 */
final class AzureErrors {
  private static final String SETTING = "agent.iaasSettings.";
  private static final Set<String> THROTTLED =
      Set.of("toomanyrequests", "subscriptionrequeststhrottled", "resourcerequeststhrottled");
  private static final Set<String> NOT_AUTHORIZED =
      Set.of("authorizationfailed", "linkedauthorizationfailed", "linkedaccesscheckfailed");
  private static final Set<String> NOT_AUTHENTICATED =
      Set.of("invalidauthenticationtoken", "authenticationfailed", "expiredauthenticationtoken");
  private static final Set<String> NOT_FOUND =
      Set.of("resourcenotfound", "notfound", "resourcegroupnotfound");
  private static final Set<String> BUSY =
      Set.of(
          "conflict",
          "operationnotallowed",
          "operationpreempted",
          "retryableerror",
          "attachdiskwhilebeingdetached");
  private static final Set<String> BAD_LOCATION =
      Set.of(
          "locationnotavailableforresourcetype",
          "invalidresourcelocation",
          "nolocationfoundforresourcetype");
  private static final Set<String> INVALID =
      Set.of(
          "invalidparameter",
          "badrequest",
          "invalidrequestcontent",
          "invalidrequestformat",
          "skunotavailable",
          "zonalallocationfailed",
          "invalidzone");
  private static final Pattern ROLE_ACTION = Pattern.compile("action '([^']+)'");

  private AzureErrors() {}

  /**
   * What a call was doing when it failed.
   *
   * @param description what was done, such as "create disk d in resource group rg"
   * @param roleAction the Azure role action the call needs, named when it is denied
   */
  record Call(String description, String roleAction) {}

  /**
   * An error as Azure reported it; {@code status} is 0 when no HTTP status tells (no response came,
   * or a long-running operation reported the failure).
   */
  private record Failure(int status, String code, String message) {
    boolean is(Set<String> codes) {
      return codes.contains(code.toLowerCase(Locale.ROOT));
    }

    String quoted() {
      return code.isEmpty() ? "HTTP " + status + ": " + message : code + ": " + message;
    }
  }

  /** Whether {@code error} says the resource (or its resource group) does not exist. */
  static boolean isNotFound(Throwable error) {
    return failure(error).filter(f -> f.status() == 404 || f.is(NOT_FOUND)).isPresent();
  }

  /** The portable exception for an SDK call that threw {@code error}. */
  static IaasException translate(Throwable error, Call call) {
    if (error instanceof IaasException translated) {
      return translated;
    }
    Optional<Failure> failure = failure(error);
    if (failure.isPresent()) {
      return translate(failure.get(), call, error);
    }
    if (error instanceof IllegalArgumentException || error instanceof NullPointerException) {
      return new PermanentIaasException(
          "cannot " + call.description() + ": the request was refused before it was sent: " + error,
          error);
    }
    return new TransientIaasException(
        "cannot " + call.description() + " (the Azure API did not answer): " + error, error);
  }

  /**
   * The portable exception for a long-running operation that ended other than succeeded.
   *
   * @param status the HTTP status of its last poll
   * @param body the body of its last poll, the operation status with Azure's error
   */
  static IaasException failedOperation(int status, String body, Call call) {
    ManagementError error = parse(body);
    Failure failure =
        new Failure(
            status == 200 || status == 201 || status == 202 ? 0 : status,
            error == null || error.getCode() == null ? "" : error.getCode(),
            error == null || error.getMessage() == null
                ? Objects.requireNonNullElse(body, "the operation failed without saying why")
                : error.getMessage());
    return translate(failure, call, null);
  }

  /** The exception for an operation still running when {@code operationTimeout} was up. */
  static TransientIaasException timeout(Call call, Duration operationTimeout) {
    return new TransientIaasException(
        "cannot "
            + call.description()
            + ": Azure did not finish within "
            + operationTimeout
            + " (agent.iaasSettings.operationTimeout); it may still finish, so the next attempt"
            + " looks again");
  }

  private static IaasException translate(Failure failure, Call call, Throwable cause) {
    String what = "cannot " + call.description() + ": Azure answered " + failure.quoted();
    String message = failure.message().toLowerCase(Locale.ROOT);
    if (failure.status() == 429 || failure.is(THROTTLED)) {
      return new TransientIaasException(what + " (throttled; try again later)", cause);
    }
    if (failure.status() == 403 || failure.is(NOT_AUTHORIZED)) {
      return new PermanentIaasException(
          what
              + ". Grant the VM's managed identity the role action '"
              + roleAction(failure, call)
              + "' on the resource group",
          cause);
    }
    if (failure.status() == 401 || failure.is(NOT_AUTHENTICATED)) {
      return new PermanentIaasException(
          what
              + ". Check the credentials DefaultAzureCredential finds: the VM's managed identity"
              + " or the AZURE_* environment variables",
          cause);
    }
    if (failure.is(Set.of("quotaexceeded")) || message.contains("quota")) {
      return new PermanentIaasException(
          what + ". Raise the subscription's quota in the region or delete disks not in use",
          cause);
    }
    if (failure.is(Set.of("subscriptionnotfound"))) {
      return new PermanentIaasException(
          what + ". Set " + SETTING + "subscriptionId, or " + SETTING + "vmId to this VM's id",
          cause);
    }
    if (failure.is(Set.of("resourcegroupnotfound"))) {
      return new PermanentIaasException(
          what + ". Create the resource group or set " + SETTING + "resourceGroup", cause);
    }
    if (failure.is(BAD_LOCATION)) {
      return new PermanentIaasException(what + ". Set " + SETTING + "location", cause);
    }
    if (message.contains("maximum number of data disks")) {
      return new PermanentIaasException(
          what + ". Detach a data disk from the VM or give it a size that takes more", cause);
    }
    if (failure.is(INVALID)) {
      return new PermanentIaasException(what + ". " + settingToCheck(failure), cause);
    }
    if (failure.status() == 409 || failure.is(BUSY)) {
      return new TransientIaasException(
          what + " (another operation holds the disk or VM; try again when it is done)", cause);
    }
    if (failure.status() == 0 || failure.status() == 408 || failure.status() >= 500) {
      return new TransientIaasException(what, cause);
    }
    return new PermanentIaasException(what, cause);
  }

  private static String roleAction(Failure failure, Call call) {
    Matcher named = ROLE_ACTION.matcher(failure.message());
    return named.find() ? named.group(1) : call.roleAction();
  }

  private static String settingToCheck(Failure failure) {
    String text = failure.message().toLowerCase(Locale.ROOT);
    if (text.contains("zone")) {
      return "Set " + SETTING + "zone to the VM's availability zone, or leave it out";
    }
    if (text.contains("sku") || text.contains("storageaccounttype")) {
      return "Set " + SETTING + "diskType to a managed disk SKU the region offers";
    }
    if (text.contains("location")) {
      return "Set " + SETTING + "location";
    }
    return "Check " + SETTING + "location, zone and diskType";
  }

  private static Optional<Failure> failure(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ManagementException management) {
        ManagementError value = management.getValue();
        return Optional.of(
            new Failure(
                status(management),
                value == null || value.getCode() == null ? "" : value.getCode(),
                value == null || value.getMessage() == null
                    ? management.getMessage()
                    : value.getMessage()));
      }
      if (cause instanceof HttpResponseException http) {
        return Optional.of(new Failure(status(http), "", http.getMessage()));
      }
      if (cause instanceof IOException || cause instanceof UncheckedIOException) {
        return Optional.of(new Failure(0, "", String.valueOf(cause)));
      }
    }
    return Optional.empty();
  }

  private static int status(HttpResponseException error) {
    return error.getResponse() == null ? 0 : error.getResponse().getStatusCode();
  }

  private static ManagementError parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try (JsonReader reader = JsonProviders.createReader(body)) {
      return ManagementError.fromJson(reader);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
