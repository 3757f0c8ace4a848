/**
 * Real servers for *IT tests: throwaway PostgreSQL clusters started with initdb and pg_ctl on free
 * ports (as the postgres user when the tests run as root), and namespaced use of the local RabbitMQ
 * broker.
 */
package io.pgshuttle.testkit;
