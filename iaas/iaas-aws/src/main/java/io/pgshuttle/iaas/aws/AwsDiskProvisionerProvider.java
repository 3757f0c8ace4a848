package io.pgshuttle.iaas.aws;

import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import io.pgshuttle.iaas.ProviderSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * Provider {@code aws}: auxiliary disks as EBS volumes attached to this EC2 instance.
 *
 * <p>Settings ({@code agent.iaasSettings.<key>}):
 *
 * <ul>
 *   <li>{@code vmId} (required): this VM's EC2 instance id, such as {@code i-0123456789abcdef0}.
 *   <li>{@code region} (required): the AWS region, such as {@code eu-central-1}.
 *   <li>{@code availabilityZone} (required): the zone volumes are made in; it must be the VM's own
 *       zone, such as {@code eu-central-1a}.
 *   <li>{@code volumeType} (optional, {@code gp3}): the EBS volume type.
 *   <li>{@code kmsKeyId} (optional): a KMS key id, alias or ARN; when set, volumes are encrypted
 *       with it.
 *   <li>{@code operationTimeout} (optional, {@code PT10M}): how long to wait for a volume to become
 *       available, attached, detached or deleted.
 *   <li>{@code pollInterval} (optional, {@code PT2S}): how often to look while waiting.
 *   <li>{@code endpoint} (optional): the EC2 API endpoint, for private clouds and tests; the
 *       region's public endpoint by default.
 *   <li>{@code maxAttempts} (optional, {@code 3}): attempts the SDK makes of each API call on
 *       throttling, server errors and I/O errors before the error reaches the caller; {@code 1}
 *       turns the SDK's own retries off.
 * </ul>
 *
 * <p>Credentials come only from the SDK's default chain (environment, profile, container or
 * instance profile), never from settings. Stateless and thread-safe.
 */
public final class AwsDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "aws";
  public static final String VM_ID = "vmId";
  public static final String REGION = "region";
  public static final String AVAILABILITY_ZONE = "availabilityZone";
  public static final String VOLUME_TYPE = "volumeType";
  public static final String KMS_KEY_ID = "kmsKeyId";
  public static final String OPERATION_TIMEOUT = "operationTimeout";
  public static final String POLL_INTERVAL = "pollInterval";
  public static final String ENDPOINT = "endpoint";
  public static final String MAX_ATTEMPTS = "maxAttempts";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    ProviderSettings read = new ProviderSettings(ID, settings);
    String vmId = read.required(VM_ID, "this VM's EC2 instance id (i-...)");
    if (!vmId.startsWith("i-")) {
      throw invalid(VM_ID, vmId, "an EC2 instance id such as i-0123456789abcdef0");
    }
    String region = read.required(REGION, "the AWS region, such as eu-central-1");
    String zone =
        read.required(AVAILABILITY_ZONE, "the VM's availability zone, such as eu-central-1a");
    if (!zone.startsWith(region)) {
      throw invalid(AVAILABILITY_ZONE, zone, "a zone of region " + region + " (the VM's zone)");
    }
    AwsSettings aws =
        new AwsSettings(
            vmId,
            region,
            zone,
            read.optional(VOLUME_TYPE, "gp3"),
            read.optional(KMS_KEY_ID),
            read.operationTimeout(),
            read.pollInterval());
    int maxAttempts = read.integer(MAX_ATTEMPTS, 3);
    if (maxAttempts < 1) {
      throw invalid(MAX_ATTEMPTS, Integer.toString(maxAttempts), "at least 1");
    }
    return new AwsDiskProvisioner(client(aws, endpoint(read), maxAttempts), aws);
  }

  private static Ec2Client client(AwsSettings aws, Optional<URI> endpoint, int maxAttempts) {
    Ec2ClientBuilder builder =
        Ec2Client.builder()
            .region(Region.of(aws.region()))
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .socketTimeout(SOCKET_TIMEOUT))
            .overrideConfiguration(
                override -> override.retryStrategy(retry -> retry.maxAttempts(maxAttempts)));
    endpoint.ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private static Optional<URI> endpoint(ProviderSettings read) {
    Optional<String> value = read.optional(ENDPOINT);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value.get());
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw invalid(ENDPOINT, value.get(), "an absolute URL such as https://ec2.example.com");
      }
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      throw invalid(ENDPOINT, value.get(), "an absolute URL such as https://ec2.example.com");
    }
  }

  private static PermanentIaasException invalid(String key, String value, String expected) {
    return new PermanentIaasException(
        "agent.iaasSettings."
            + key
            + " of the aws disk provider must be "
            + expected
            + ", not '"
            + value
            + "'");
  }
}
