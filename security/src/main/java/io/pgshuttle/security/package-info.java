/**
 * Keys, message signatures, event MACs and sealed secrets, with the JDK's own primitives only:
 * Ed25519 to sign the coordinator's commands and events, HMAC-SHA256 under a key agreed by static
 * X25519 and HKDF-SHA256 to authenticate an agent's events ({@link
 * io.pgshuttle.security.EventMacKey}), X25519 with HKDF-SHA256 and AES-256-GCM to seal a secret for
 * one recipient. Keys live in PEM files (PKCS#8 private keys, X.509 public keys) and are named by a
 * {@link io.pgshuttle.security.KeyId} derived from the public key.
 *
 * <p>Every type here is immutable and safe to share between threads unless its Javadoc says
 * otherwise; no method accepts null unless its Javadoc says so.
 */
package io.pgshuttle.security;
