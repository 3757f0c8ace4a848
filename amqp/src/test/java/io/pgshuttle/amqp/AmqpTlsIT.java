package io.pgshuttle.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.pgshuttle.messages.Envelope;
import io.pgshuttle.messages.LeftoversSwept;
import io.pgshuttle.messages.MessageCodec;
import io.pgshuttle.testkit.RabbitNode;
import io.pgshuttle.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * AMQP over TLS against a node of the test's own with a TLS listener whose certificate, signed by a
 * CA the test makes, names {@code localhost} only; clients may log in with a certificate
 * (EXTERNAL).
 */
class AmqpTlsIT {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Path CERTS = temporaryDirectory();
  static final TestCertificates CA = TestCertificates.authority(CERTS.resolve("ca"), "test-ca");
  static final TestCertificates OTHER_CA =
      TestCertificates.authority(CERTS.resolve("other"), "other-ca");
  static final Path SERVER = CA.issue("localhost", List.of("localhost"));
  static final Path CLIENT = CA.issue("agent-vm-tls", List.of());
  static final int TLS_PORT = RabbitNode.freePort();

  @AutoClose
  static final RabbitNode broker =
      RabbitNode.start(
          List.of(
              "listeners.ssl.default = " + TLS_PORT,
              "ssl_options.cacertfile = " + CA.caFile(),
              "ssl_options.certfile = " + SERVER,
              "ssl_options.keyfile = " + TestCertificates.keyOf(SERVER),
              "ssl_options.verify = verify_peer",
              "ssl_options.fail_if_no_peer_cert = false",
              "auth_mechanisms.1 = PLAIN",
              "auth_mechanisms.2 = EXTERNAL",
              "ssl_cert_login_from = common_name"),
          List.of("rabbitmq_auth_mechanism_ssl"));

  @Test
  void theBrokersCertificateIsCheckedAgainstTheConfiguredCaAndItsHostName() throws Exception {
    try (Connection connection = connector("localhost", CA.caFile()).connect("tls-right")) {
      assertThat(connection.isOpen()).isTrue();
    }
  }

  @Test
  void aHostNameTheCertificateDoesNotNameIsRefusedAtOnce() {
    assertThatThrownBy(() -> connector("127.0.0.1", CA.caFile()).connect("tls-wrong-host"))
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("TLS with RabbitMQ at 127.0.0.1:" + TLS_PORT)
        .hasMessageContaining("cacertfile");
  }

  @Test
  void aBrokerCertificateOfAnotherCaIsRefused() {
    assertThatThrownBy(() -> connector("localhost", OTHER_CA.caFile()).connect("tls-wrong-ca"))
        .isInstanceOf(AmqpException.class)
        .hasMessageContaining("TLS with RabbitMQ");
  }

  @Test
  void aClientCertificateLogsInAsItsCommonNameAndPublishesUnderThatUserId() throws Exception {
    broker.ctl("add_user", "agent-vm-tls", "");
    broker.ctl("set_permissions", "-p", "/", "agent-vm-tls", "^$", ".*", "^$");
    String queue = "tls-" + UUID.randomUUID();
    AmqpConnector connector =
        new AmqpConnector(
            "amqps://localhost:"
                + TLS_PORT
                + "/%2f?cacertfile="
                + CA.caFile()
                + "&certfile="
                + CLIENT
                + "&keyfile="
                + TestCertificates.keyOf(CLIENT)
                + "&auth_mechanism=external",
            WAIT);
    assertThat(connector.user()).isEqualTo("agent-vm-tls");
    MessageCodec codec = new MessageCodec();
    try (Connection guest = connector("localhost", CA.caFile()).connect("tls-guest");
        Channel channel = guest.createChannel();
        Connection agent = connector.connect("tls-external");
        ConfirmingPublisher publisher =
            new ConfirmingPublisher(agent, codec, WAIT, connector.user())) {
      channel.queueDeclare(queue, false, false, true, Map.of());
      publisher.publish(
          "",
          queue,
          Envelope.of(
              "vm-tls",
              new io.pgshuttle.messages.MigrationId(UUID.randomUUID()),
              0,
              0,
              new LeftoversSwept(UUID.randomUUID(), List.of(), List.of(), List.of())),
          false,
          Map.of());
      GetResponse delivered = channel.basicGet(queue, true);
      assertThat(delivered.getProps().getUserId()).isEqualTo("agent-vm-tls");
    }
  }

  @Test
  void tlsSettingsOnAPlainUriAreRefused() {
    assertThatThrownBy(
            () -> new AmqpConnector("amqp://localhost:5672/%2f?cacertfile=/etc/ca.pem", WAIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("amqps://");
    assertThatThrownBy(() -> new AmqpConnector("amqps://localhost:5671/%2f?verify=none", WAIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown query parameter 'verify'");
  }

  private static AmqpConnector connector(String host, Path caFile) {
    return new AmqpConnector(
        "amqps://guest:guest@" + host + ":" + TLS_PORT + "/%2f?cacertfile=" + caFile, WAIT);
  }

  private static Path temporaryDirectory() {
    try {
      // The node runs as the rabbitmq user: it must reach the files.
      return Files.createTempDirectory(
          "pgshuttle-tls-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
