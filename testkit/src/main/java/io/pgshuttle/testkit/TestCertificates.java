package io.pgshuttle.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate authority of a test's own, made with the machine's {@code openssl}, and the server
 * and client certificates it signs, as PEM files (keys unencrypted PKCS#8) in a directory every
 * user may read, so that a RabbitMQ node or PostgreSQL cluster running as another user can load
 * them. Not thread-safe.
 */
public final class TestCertificates {
  private final Path directory;
  private final String name;

  private TestCertificates(Path directory, String name) {
    this.directory = directory;
    this.name = name;
  }

  /** A new CA named {@code name} (its certificate {@link #caFile()}) in {@code directory}. */
  public static TestCertificates authority(Path directory, String name) {
    TestCertificates ca = new TestCertificates(directory, name);
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openssl(
        directory,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=" + name,
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem");
    ca.readableByAll();
    return ca;
  }

  public Path caFile() {
    return directory.resolve(name + ".pem");
  }

  /**
   * Issues a certificate for {@code commonName} signed by this CA, with {@code dnsNames} as its
   * subject alternative names (none for a client certificate).
   *
   * @return the certificate; its key is next to it, {@link #keyOf(Path)}
   */
  public Path issue(String commonName, List<String> dnsNames) {
    String base = commonName.replaceAll("[^A-Za-z0-9_-]", "_");
    openssl(
        directory,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=" + commonName,
        "-keyout",
        base + ".key",
        "-out",
        base + ".csr");
    List<String> sign =
        new ArrayList<>(
            List.of(
                "x509",
                "-req",
                "-in",
                base + ".csr",
                "-CA",
                name + ".pem",
                "-CAkey",
                name + ".key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                base + ".pem"));
    if (!dnsNames.isEmpty()) {
      try {
        Files.writeString(
            directory.resolve(base + ".ext"),
            "subjectAltName = "
                + String.join(",", dnsNames.stream().map(dns -> "DNS:" + dns).toList())
                + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sign.addAll(List.of("-extfile", base + ".ext"));
    }
    openssl(directory, sign.toArray(String[]::new));
    readableByAll();
    return directory.resolve(base + ".pem");
  }

  /** The key of a certificate {@link #issue} made. */
  public static Path keyOf(Path certificate) {
    String file = certificate.getFileName().toString();
    return certificate.resolveSibling(file.substring(0, file.length() - ".pem".length()) + ".key");
  }

  private void readableByAll() {
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        file.toFile().setReadable(true, false);
      }
      directory.toFile().setReadable(true, false);
      directory.toFile().setExecutable(true, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(Path directory, String... arguments) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
