package io.pgshuttle.iaas.alibaba;

import com.aliyun.ecs20140526.Client;
import com.aliyun.teaopenapi.models.Config;
import io.pgshuttle.iaas.DiskProvisioner;
import io.pgshuttle.iaas.DiskProvisionerProvider;
import io.pgshuttle.iaas.PermanentIaasException;
import java.util.Locale;
import java.util.Map;

/**
 * Provider {@code alibaba}: auxiliary disks as Alibaba Cloud ECS cloud disks.
 *
 * <p>Settings ({@code agent.iaasSettings}):
 *
 * <ul>
 *   <li>{@code vmId} (required): this VM's ECS instance id ({@code i-...}); disks are attached to
 *       it.
 *   <li>{@code regionId} (required): the VM's region, such as {@code cn-hangzhou}; it selects the
 *       ECS endpoint {@code ecs.<regionId>.aliyuncs.com}.
 *   <li>{@code zoneId} (required): the VM's zone, such as {@code cn-hangzhou-k}; disks are made
 *       there.
 *   <li>{@code diskCategory} (optional, {@code cloud_essd}): ECS's DiskCategory, such as {@code
 *       cloud_essd}, {@code cloud_auto}, {@code cloud_efficiency}. A request below the category's
 *       smallest size gets that size (20 GiB for cloud_essd at its default PL1).
 *   <li>{@code operationTimeout} (optional, {@code PT10M}): how long to wait for a disk to be
 *       created, attached, detached or deleted.
 *   <li>{@code pollInterval} (optional, {@code PT2S}): how often to look while waiting.
 *   <li>{@code endpoint} (optional): the ECS API endpoint instead of the region's, such as a VPC
 *       endpoint {@code ecs-vpc.cn-hangzhou.aliyuncs.com}; {@code http://host:port} speaks plain
 *       HTTP (for tests).
 * </ul>
 *
 * <p>Credentials come only from the SDK's default chain: the environment ({@code
 * ALIBABA_CLOUD_ACCESS_KEY_ID}, {@code ALIBABA_CLOUD_ACCESS_KEY_SECRET}, {@code
 * ALIBABA_CLOUD_SECURITY_TOKEN}), OIDC role, profile files, then the ECS instance's RAM role from
 * the metadata service. The RAM actions needed are {@link AlibabaErrors#RAM_ACTIONS}. Thread-safe.
 */
public final class AlibabaDiskProvisionerProvider implements DiskProvisionerProvider {
  public static final String ID = "alibaba";

  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public DiskProvisioner create(Map<String, String> settings) {
    AlibabaSettings read = AlibabaSettings.read(settings);
    return new AlibabaDiskProvisioner(ecsClient(read), read);
  }

  private static Client ecsClient(AlibabaSettings settings) {
    Config config =
        new Config()
            .setRegionId(settings.regionId())
            .setCredential(new com.aliyun.credentials.Client())
            .setConnectTimeout(CONNECT_TIMEOUT_MILLIS)
            .setReadTimeout(READ_TIMEOUT_MILLIS)
            .setUserAgent("pgshuttle");
    settings
        .endpoint()
        .ifPresent(
            endpoint -> {
              String lower = endpoint.toLowerCase(Locale.ROOT);
              boolean plain = lower.startsWith("http://");
              String host = endpoint.replaceFirst("(?i)^https?://", "").replaceFirst("/+$", "");
              config.setEndpoint(host).setProtocol(plain ? "HTTP" : "HTTPS");
            });
    try {
      return new Client(config);
    } catch (Exception e) {
      throw new PermanentIaasException(
          "cannot set up the ECS client for region "
              + settings.regionId()
              + ": "
              + e.getMessage()
              + "; check "
              + AlibabaSettings.key(AlibabaSettings.REGION_ID)
              + " and "
              + AlibabaSettings.key(AlibabaSettings.ENDPOINT),
          e);
    }
  }
}
