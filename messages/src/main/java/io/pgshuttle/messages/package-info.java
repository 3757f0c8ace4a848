/**
 * The wire contract of pgshuttle: requests, commands and events, the envelope they travel in, the
 * broker topology they travel through, and the JSON codec that reads and writes them.
 *
 * <p>Every type here is an immutable value and safe to share between threads. Fields are added,
 * never renamed; types are named on the wire by logical name, never by Java class name.
 */
package io.pgshuttle.messages;
