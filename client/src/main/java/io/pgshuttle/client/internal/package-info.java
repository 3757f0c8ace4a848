/**
 * The client's machinery: HTTP calls and their answers, Server-Sent Events, paging and the AMQP
 * subscription. Not part of the API: it changes without notice.
 */
package io.pgshuttle.client.internal;
