package io.pgshuttle.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files, as RabbitMQ and PostgreSQL keep them: CA certificates to trust, and
 * a client certificate with its unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}, RSA or EC).
 * Stateless.
 */
final class PemTls {
  private static final char[] IN_MEMORY = new char[0];

  private PemTls() {}

  /**
   * A context trusting the certificates of {@code caFile} (the JDK's own when null) and, when
   * {@code certFile} is not null, presenting it with {@code keyFile}.
   *
   * @throws IllegalArgumentException if a file cannot be read or holds no usable PEM, naming it
   */
  static SSLContext context(Path caFile, Path certFile, Path keyFile) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(caFile == null ? null : trustStore(caFile));
      KeyManagerFactory keys = null;
      if (certFile != null) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setKeyEntry(
            "client",
            privateKey(keyFile),
            IN_MEMORY,
            certificates(certFile).toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, IN_MEMORY);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** The common name (CN) of the subject of the first certificate of {@code certFile}. */
  static String commonName(Path certFile) {
    X509Certificate certificate = (X509Certificate) certificates(certFile).get(0);
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(
        "the certificate in " + certFile + " has no common name (CN) to be the broker user");
  }

  private static KeyStore trustStore(Path caFile) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (Certificate certificate : certificates(caFile)) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }

  private static List<? extends Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<? extends Certificate> certificates =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no PEM certificate");
      }
      return certificates;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read certificates from " + file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path keyFile) throws IOException {
    if (keyFile == null) {
      throw new IllegalArgumentException("a client certificate needs its key file (keyfile)");
    }
    String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          keyFile
              + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY): convert it with"
              + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException notThisOne) {
        // Try the next algorithm.
      }
    }
    throw new IllegalArgumentException(keyFile + " holds no RSA, EC or Ed25519 key");
  }
}
