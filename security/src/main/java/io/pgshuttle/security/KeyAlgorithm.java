package io.pgshuttle.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;

/** The two kinds of key pgshuttle uses, with the file name suffix each is known by. */
public enum KeyAlgorithm {
  /** Signs the coordinator's commands and its own events. */
  ED25519("Ed25519", "ed25519"),
  /**
   * Agrees the keys of agents' event MACs (the coordinator and each agent, {@link EventMacKey}),
   * and receives sealed secrets (an agent).
   */
  X25519("X25519", "x25519");

  private final String jcaName;
  private final String suffix;

  KeyAlgorithm(String jcaName, String suffix) {
    this.jcaName = jcaName;
    this.suffix = suffix;
  }

  /** The JDK's name of the algorithm. */
  public String jcaName() {
    return jcaName;
  }

  /** {@code ed25519} or {@code x25519}, as in {@code agent-1.ed25519.pub}. */
  public String suffix() {
    return suffix;
  }

  /** A new key pair of this algorithm. */
  public KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(jcaName).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + jcaName, e);
    }
  }
}
