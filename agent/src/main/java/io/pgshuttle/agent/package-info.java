/**
 * The agent: one per VM. {@code daemon} consumes its command queue and publishes events; {@code
 * pipeline} runs an attempt's steps and rolls them back; {@code steps} holds the eight steps;
 * {@code postgres} wraps the PostgreSQL tools and catalog queries the steps use; {@code sweep}
 * removes what ended attempts left behind.
 */
package io.pgshuttle.agent;
