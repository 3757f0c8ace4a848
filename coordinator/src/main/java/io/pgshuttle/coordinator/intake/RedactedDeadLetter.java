package io.pgshuttle.coordinator.intake;

/**
 * A dead letter made safe to keep: no password in its body or reason. Neither is null; the body
 * array is the caller's to keep, not copied.
 *
 * @param body the original bytes without the password
 * @param reason the reason, with any password that showed in it masked
 * @param passwordRemoved whether a password was found (and removed or masked)
 */
public record RedactedDeadLetter(byte[] body, String reason, boolean passwordRemoved) {}
