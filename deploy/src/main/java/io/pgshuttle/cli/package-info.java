/**
 * The {@code pgshuttle} command line: the daemons ({@code coordinator}, {@code agent}) and the
 * client commands ({@code submit}, {@code status}, {@code list}, {@code watch}, {@code cancel}).
 * {@link io.pgshuttle.cli.PgShuttle} is the main class; commands reach the broker, the
 * coordinator's HTTP API and the daemons only through {@link io.pgshuttle.cli.Backends}, so that
 * their tests run in-process. Output for people and scripts goes to stdout, logs and errors to
 * stderr; exit codes are in {@link io.pgshuttle.cli.ExitCodes}. No password is ever printed or
 * logged.
 */
package io.pgshuttle.cli;
