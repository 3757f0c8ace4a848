package io.pgshuttle.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Reads and writes keys as PEM files: a private key as {@code PRIVATE KEY} (PKCS#8), a public key
 * as {@code PUBLIC KEY} (X.509), the same forms {@code openssl genpkey -algorithm ed25519} writes.
 * Private key files are created with mode 0600 and refused when group or others may read them. A
 * key pair file ({@link #writeKeyPair}) holds the private key and, after it, its public key, since
 * the JDK cannot derive one from the other. Stateless.
 */
public final class KeyFiles {
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private KeyFiles() {}

  /** The private key of a key file; refused if the file is open to group or others. */
  private static PrivateKey readPrivate(Path file, KeyAlgorithm algorithm) {
    refuseOpenPermissions(file);
    byte[] der = readPem(file, PRIVATE);
    try {
      return KeyFactory.getInstance(algorithm.jcaName())
          .generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new KeyFileException(
          file + " is not an " + algorithm.jcaName() + " private key: " + e.getMessage(), e);
    }
  }

  /**
   * Generates a key pair of {@code algorithm} and writes it as {@code <name>.<algorithm>.key} (the
   * pair, mode 0600) and {@code <name>.<algorithm>.pub} (the public key) into {@code directory},
   * which is made if missing.
   *
   * @throws KeyFileException if either file exists or cannot be written
   */
  public static KeyPair generate(Path directory, String name, KeyAlgorithm algorithm) {
    Path privateFile = privateFile(directory, name, algorithm);
    Path publicFile = publicFile(directory, name, algorithm);
    if (Files.exists(publicFile)) {
      throw new KeyFileException(
          publicFile + " exists: move it away first; pgshuttle never overwrites a key");
    }
    KeyPair pair = algorithm.generate();
    writeKeyPair(privateFile, pair);
    writePublic(publicFile, pair.getPublic());
    return pair;
  }

  /** {@code <directory>/<name>.<algorithm>.key}, as {@link #generate} names it. */
  public static Path privateFile(Path directory, String name, KeyAlgorithm algorithm) {
    return directory.resolve(name + "." + algorithm.suffix() + ".key");
  }

  /** {@code <directory>/<name>.<algorithm>.pub}, as {@link #generate} names it. */
  public static Path publicFile(Path directory, String name, KeyAlgorithm algorithm) {
    return directory.resolve(name + "." + algorithm.suffix() + ".pub");
  }

  /**
   * Reads a key pair file of {@code algorithm}: its private key and the public key after it.
   *
   * @throws KeyFileException if the file is missing, not a PEM key pair of that algorithm, or
   *     readable by group or others
   */
  public static KeyPair readKeyPair(Path file, KeyAlgorithm algorithm) {
    PrivateKey privateKey = readPrivate(file, algorithm);
    try {
      return new KeyPair(
          parsePublic(Files.readString(file, StandardCharsets.US_ASCII), algorithm), privateKey);
    } catch (IOException e) {
      throw new KeyFileException("cannot read the key file " + file + ": " + e, e);
    } catch (KeyFileException e) {
      throw new KeyFileException(
          file + " holds no public key after its private key: write it with `pgshuttle keys`", e);
    }
  }

  /**
   * Writes {@code pair} to a new file of mode 0600: the private key, then the public key.
   *
   * @throws KeyFileException if the file exists (a key is never overwritten) or cannot be written
   */
  public static void writeKeyPair(Path file, KeyPair pair) {
    write(file, pem(PRIVATE, pair.getPrivate().getEncoded()) + toPem(pair.getPublic()), true);
  }

  /**
   * Reads a public key of {@code algorithm}.
   *
   * @throws KeyFileException if the file is missing or not a PEM public key of that algorithm
   */
  public static PublicKey readPublic(Path file, KeyAlgorithm algorithm) {
    try {
      return parsePublic(Files.readString(file, StandardCharsets.US_ASCII), algorithm);
    } catch (IOException e) {
      throw new KeyFileException("cannot read the public key file " + file + ": " + e, e);
    } catch (KeyFileException e) {
      throw new KeyFileException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses a PEM public key of {@code algorithm}.
   *
   * @throws KeyFileException if {@code pem} is not one
   */
  private static PublicKey parsePublic(String pem, KeyAlgorithm algorithm) {
    byte[] der = decodePem(pem, PUBLIC);
    try {
      return KeyFactory.getInstance(algorithm.jcaName())
          .generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new KeyFileException(
          "not an " + algorithm.jcaName() + " public key: " + e.getMessage());
    }
  }

  /**
   * Writes {@code key} to a new file.
   *
   * @throws KeyFileException if the file exists or cannot be written
   */
  public static void writePublic(Path file, PublicKey key) {
    write(file, toPem(key), false);
  }

  /** The PEM text of a public key. */
  public static String toPem(PublicKey key) {
    return pem(PUBLIC, key.getEncoded());
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  private static void write(Path file, String text, boolean ownerOnly) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.createFile(
          file,
          PosixFilePermissions.asFileAttribute(
              ownerOnly ? OWNER_ONLY : PosixFilePermissions.fromString("rw-r--r--")));
      // createFile's mode is filtered by the umask: set it again.
      Files.setPosixFilePermissions(
          file, ownerOnly ? OWNER_ONLY : PosixFilePermissions.fromString("rw-r--r--"));
      Files.writeString(
          file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException(
          file + " exists: move it away first; pgshuttle never overwrites a key", e);
    } catch (IOException e) {
      throw new KeyFileException("cannot write the key file " + file + ": " + e, e);
    }
  }

  private static void refuseOpenPermissions(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY.containsAll(permissions)) {
        throw new KeyFileException(
            "the private key file "
                + file
                + " may be read by others (mode "
                + PosixFilePermissions.toString(permissions)
                + "): chmod 600 it");
      }
    } catch (IOException e) {
      throw new KeyFileException("cannot read the private key file " + file + ": " + e, e);
    }
  }

  private static byte[] readPem(Path file, String label) {
    try {
      return decodePem(Files.readString(file, StandardCharsets.US_ASCII), label);
    } catch (IOException e) {
      throw new KeyFileException("cannot read the key file " + file + ": " + e, e);
    } catch (KeyFileException e) {
      throw new KeyFileException(file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] decodePem(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int start = text.indexOf(begin);
    int stop = text.indexOf(end);
    if (start < 0 || stop < start) {
      throw new KeyFileException("expected a PEM block '" + begin + "'");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop));
    } catch (IllegalArgumentException e) {
      throw new KeyFileException("the PEM block '" + begin + "' is not base64");
    }
  }
}
