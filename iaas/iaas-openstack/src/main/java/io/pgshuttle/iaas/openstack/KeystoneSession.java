package io.pgshuttle.iaas.openstack;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.client.CloudProvider;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.internal.OSAuthenticator;

/**
 * A Keystone token for one set of credentials, renewed before it expires, and openstack4j clients
 * made from it. openstack4j binds a client to the thread that makes it, so every operation asks for
 * a client of its own on its own thread. Thread-safe; authenticates lazily, on the first call.
 */
final class KeystoneSession {
  /** Renew a token this long before Keystone's expiry, so that no long poll outlives it. */
  private static final Duration RENEWAL_MARGIN = Duration.ofMinutes(10);

  private final OpenStackCredentials credentials;
  private final Facing facing;
  private final Optional<String> region;
  private final Config config = Config.newConfig();
  private Token token;

  KeystoneSession(OpenStackCredentials credentials, Facing facing, Optional<String> region) {
    this.credentials = credentials;
    this.facing = facing;
    this.region = region;
  }

  /**
   * A client for the calling thread only.
   *
   * @throws io.pgshuttle.iaas.IaasException if Keystone refuses the credentials or cannot be
   *     reached
   */
  OSClientV3 client() {
    OSClientV3 client = OSFactory.clientFromToken(validToken(), facing, config);
    region.ifPresent(client::useRegion);
    return client;
  }

  private synchronized Token validToken() {
    if (token == null || expiresSoon(token)) {
      token = authenticate();
    }
    return token;
  }

  private boolean expiresSoon(Token candidate) {
    return candidate.getExpires() != null
        && candidate.getExpires().toInstant().isBefore(Instant.now().plus(RENEWAL_MARGIN));
  }

  private Token authenticate() {
    try {
      OSClientV3 authenticated =
          (OSClientV3)
              OSAuthenticator.invoke(
                  credentials.keystoneAuth(),
                  credentials.authUrl(),
                  facing,
                  config,
                  CloudProvider.UNKNOWN);
      return authenticated.getToken();
    } catch (RuntimeException e) {
      throw OpenStackErrors.authentication(credentials, e);
    }
  }
}
