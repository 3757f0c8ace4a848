package io.pgshuttle.iaas.openstack;

import io.pgshuttle.iaas.PermanentIaasException;
import java.util.Map;
import java.util.Optional;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth.AuthScope;

/**
 * Keystone v3 credentials read from the standard {@code OS_*} environment variables, as an openrc
 * file or {@code clouds.yaml} export sets them: an application credential ({@code
 * OS_APPLICATION_CREDENTIAL_ID} and {@code _SECRET}) when one is set, else a user's password
 * ({@code OS_USERNAME}, {@code OS_PASSWORD}, the user's domain and the project). Never from
 * settings or messages. Immutable; {@link #toString()} names the credential, never its secret.
 */
final class OpenStackCredentials {
  static final String AUTH_URL = "OS_AUTH_URL";
  static final String APPLICATION_CREDENTIAL_ID = "OS_APPLICATION_CREDENTIAL_ID";
  static final String APPLICATION_CREDENTIAL_SECRET = "OS_APPLICATION_CREDENTIAL_SECRET";
  static final String USERNAME = "OS_USERNAME";
  static final String PASSWORD = "OS_PASSWORD";
  static final String USER_DOMAIN_NAME = "OS_USER_DOMAIN_NAME";
  static final String USER_DOMAIN_ID = "OS_USER_DOMAIN_ID";
  static final String PROJECT_ID = "OS_PROJECT_ID";
  static final String PROJECT_NAME = "OS_PROJECT_NAME";
  static final String PROJECT_DOMAIN_NAME = "OS_PROJECT_DOMAIN_NAME";
  static final String PROJECT_DOMAIN_ID = "OS_PROJECT_DOMAIN_ID";

  private final String authUrl;
  private final KeystoneAuth auth;
  private final String description;
  private final String variablesToCheck;

  private OpenStackCredentials(
      String authUrl, KeystoneAuth auth, String description, String variablesToCheck) {
    this.authUrl = authUrl;
    this.auth = auth;
    this.description = description;
    this.variablesToCheck = variablesToCheck;
  }

  /**
   * The credentials in {@code environment}.
   *
   * @throws PermanentIaasException naming the variables to set when they are incomplete
   */
  static OpenStackCredentials fromEnvironment(Map<String, String> environment) {
    Optional<String> authUrl = value(environment, AUTH_URL);
    if (authUrl.isEmpty()) {
      throw missing(AUTH_URL + " (Keystone's URL, such as https://keystone.example:5000/v3)");
    }
    String keystone = keystoneV3(authUrl.get());
    Optional<String> applicationCredential = value(environment, APPLICATION_CREDENTIAL_ID);
    if (applicationCredential.isPresent()) {
      String secret =
          value(environment, APPLICATION_CREDENTIAL_SECRET)
              .orElseThrow(() -> missing(APPLICATION_CREDENTIAL_SECRET));
      return new OpenStackCredentials(
          keystone,
          new ApplicationCredentialAuth(applicationCredential.get(), secret),
          "application credential " + applicationCredential.get(),
          APPLICATION_CREDENTIAL_ID + " and " + APPLICATION_CREDENTIAL_SECRET);
    }
    Optional<String> username = value(environment, USERNAME);
    if (username.isEmpty()) {
      throw missing(
          APPLICATION_CREDENTIAL_ID
              + " and "
              + APPLICATION_CREDENTIAL_SECRET
              + ", or "
              + USERNAME
              + " and "
              + PASSWORD);
    }
    String password = value(environment, PASSWORD).orElseThrow(() -> missing(PASSWORD));
    Identifier userDomain =
        identifier(environment, USER_DOMAIN_ID, USER_DOMAIN_NAME)
            .orElseThrow(() -> missing(USER_DOMAIN_NAME + " (or " + USER_DOMAIN_ID + ")"));
    return new OpenStackCredentials(
        keystone,
        new KeystoneAuth(username.get(), password, userDomain, projectScope(environment)),
        "user " + username.get(),
        USERNAME
            + ", "
            + PASSWORD
            + ", "
            + USER_DOMAIN_NAME
            + " and "
            + PROJECT_ID
            + " (or "
            + PROJECT_NAME
            + ")");
  }

  private static AuthScope projectScope(Map<String, String> environment) {
    Optional<String> projectId = value(environment, PROJECT_ID);
    if (projectId.isPresent()) {
      return AuthScope.project(Identifier.byId(projectId.get()));
    }
    String projectName =
        value(environment, PROJECT_NAME)
            .orElseThrow(() -> missing(PROJECT_ID + " (or " + PROJECT_NAME + ")"));
    Identifier projectDomain =
        identifier(environment, PROJECT_DOMAIN_ID, PROJECT_DOMAIN_NAME)
            .or(() -> identifier(environment, USER_DOMAIN_ID, USER_DOMAIN_NAME))
            .orElseThrow(() -> missing(PROJECT_DOMAIN_NAME + " (or " + PROJECT_DOMAIN_ID + ")"));
    return AuthScope.project(Identifier.byName(projectName), projectDomain);
  }

  /** Keystone's v3 root: openstack4j posts to {@code <root>/auth/tokens}. */
  private static String keystoneV3(String authUrl) {
    String trimmed = authUrl.replaceAll("/+$", "");
    return trimmed.endsWith("/v3") ? trimmed : trimmed + "/v3";
  }

  private static Optional<Identifier> identifier(
      Map<String, String> environment, String idVariable, String nameVariable) {
    return value(environment, idVariable)
        .map(Identifier::byId)
        .or(() -> value(environment, nameVariable).map(Identifier::byName));
  }

  private static Optional<String> value(Map<String, String> environment, String variable) {
    String value = environment.get(variable);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  private static PermanentIaasException missing(String what) {
    return new PermanentIaasException(
        "the openstack disk provider takes its credentials from the agent's environment: set "
            + what);
  }

  /** Keystone's v3 URL. */
  String authUrl() {
    return authUrl;
  }

  /** The request body openstack4j sends to Keystone; holds the secret. */
  KeystoneAuth keystoneAuth() {
    return auth;
  }

  /** The environment variables that would fix these credentials, for error messages. */
  String variablesToCheck() {
    return variablesToCheck;
  }

  @Override
  public String toString() {
    return description + " at " + authUrl;
  }
}
