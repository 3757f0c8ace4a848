package io.pgshuttle.iaas.openstack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRootName;
import java.util.List;
import org.openstack4j.openstack.common.Auth;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;

/**
 * A Keystone v3 request body for the {@code application_credential} method, which openstack4j
 * lacks. It is a {@link KeystoneAuth} so that openstack4j's own authenticator sends it and, on a
 * 401 from an expired token, sends it again. The token it yields is scoped to the credential's
 * project, so it carries no scope. Immutable.
 */
@JsonRootName("auth")
final class ApplicationCredentialAuth extends KeystoneAuth {
  private static final long serialVersionUID = 1L;

  private final ApplicationCredentialIdentity applicationCredentialIdentity;

  ApplicationCredentialAuth(String id, String secret) {
    super(Auth.Type.CREDENTIALS);
    this.applicationCredentialIdentity =
        new ApplicationCredentialIdentity(new ApplicationCredential(id, secret));
  }

  @Override
  @JsonProperty("identity")
  public Identity getIdentity() {
    return applicationCredentialIdentity;
  }

  /** The {@code identity} member: method and credential. */
  static final class ApplicationCredentialIdentity implements Identity, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final ApplicationCredential credential;

    ApplicationCredentialIdentity(ApplicationCredential credential) {
      this.credential = credential;
    }

    @Override
    @JsonProperty("methods")
    public List<String> getMethods() {
      return List.of("application_credential");
    }

    @JsonProperty("application_credential")
    public ApplicationCredential getApplicationCredential() {
      return credential;
    }

    @Override
    @JsonIgnore
    public Password getPassword() {
      return null;
    }

    @Override
    @JsonIgnore
    public Token getToken() {
      return null;
    }
  }

  /** The credential's id and secret, as Keystone reads them. */
  static final class ApplicationCredential implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String secret;

    ApplicationCredential(String id, String secret) {
      this.id = id;
      this.secret = secret;
    }

    @JsonProperty("id")
    public String getId() {
      return id;
    }

    @JsonProperty("secret")
    public String getSecret() {
      return secret;
    }

    @Override
    public String toString() {
      return "application credential " + id;
    }
  }
}
