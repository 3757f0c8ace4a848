package io.pgshuttle.iaas.alibaba;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgshuttle.iaas.DeviceHint;
import io.pgshuttle.iaas.DiskProvisioners;
import io.pgshuttle.iaas.PermanentIaasException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Settings, names and device hints, without any server. */
class AlibabaDiskProvisionerTest {
  private static final Map<String, String> SETTINGS =
      Map.of("vmId", "i-vm", "regionId", "cn-hangzhou", "zoneId", "cn-hangzhou-k");

  private static Map<String, String> settingsWith(String key, String value) {
    Map<String, String> settings = new HashMap<>(SETTINGS);
    if (value == null) {
      settings.remove(key);
    } else {
      settings.put(key, value);
    }
    return settings;
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmId", "regionId", "zoneId"})
  void aMissingRequiredSettingIsNamed(String key) {
    assertThatThrownBy(() -> DiskProvisioners.create("alibaba", settingsWith(key, null)))
        .isInstanceOf(PermanentIaasException.class)
        .hasMessageContaining("agent.iaasSettings." + key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"operationTimeout", "pollInterval"})
  void aDurationThatIsNotOneOrNotPositiveIsNamed(String key) {
    for (String wrong : new String[] {"soon", "PT0S", "-PT1S"}) {
      assertThatThrownBy(() -> DiskProvisioners.create("alibaba", settingsWith(key, wrong)))
          .isInstanceOf(PermanentIaasException.class)
          .hasMessageContaining("agent.iaasSettings." + key);
    }
  }

  @Test
  void defaultsAreEssdTenMinutesAndTwoSeconds() {
    AlibabaSettings settings = AlibabaSettings.read(SETTINGS);
    assertThat(settings.diskCategory()).isEqualTo("cloud_essd");
    assertThat(settings.operationTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.endpoint()).isEmpty();
    assertThat(DiskProvisioners.create("alibaba", SETTINGS).id()).isEqualTo("alibaba");
  }

  @Test
  void theClientTokenIsStableShortAsciiAndDiffersByKey() {
    String token = AlibabaDiskProvisioner.clientToken("a migration ümlaut key-1");
    assertThat(token)
        .isEqualTo(AlibabaDiskProvisioner.clientToken("a migration ümlaut key-1"))
        .hasSizeLessThanOrEqualTo(64)
        .matches("\\p{ASCII}+")
        .isNotEqualTo(AlibabaDiskProvisioner.clientToken("a migration ümlaut key-2"));
  }

  @Test
  void theDiskNameIsOneEcsAccepts() {
    assertThat(AlibabaDiskProvisioner.diskName("0f3a/é 1")).isEqualTo("pgshuttle-0f3a---1");
    assertThat(AlibabaDiskProvisioner.diskName("k".repeat(300))).hasSize(128);
  }

  @Test
  void aSizeBelowTheCategoryMinimumIsRaisedToIt() {
    assertThat(AlibabaDiskProvisioner.sizeFor(1, "cloud_essd")).isEqualTo(20);
    assertThat(AlibabaDiskProvisioner.sizeFor(1, "cloud_essd_entry")).isEqualTo(10);
    assertThat(AlibabaDiskProvisioner.sizeFor(1, "cloud_auto")).isEqualTo(1);
    assertThat(AlibabaDiskProvisioner.sizeFor(500, "cloud_efficiency")).isEqualTo(500);
    assertThat(AlibabaDiskProvisioner.sizeFor(3, "a_category_not_known_here")).isEqualTo(3);
  }

  @Test
  void hintsGoFromTheSerialLinksToTheDeviceEcsNamesAndItsKvmName() {
    EcsDisk disk =
        new EcsDisk("d-bp1abc", "In_use", "i-vm", "/dev/xvdc", "bp1abc", 20, Map.of("k", "v"));
    assertThat(disk.deviceHints())
        .containsExactly(
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/disk/by-id/virtio-bp1abc"),
            new DeviceHint(
                DeviceHint.DEVICE_PATH,
                "/dev/disk/by-id/nvme-Alibaba_Cloud_Elastic_Block_Storage_bp1abc"),
            new DeviceHint(DeviceHint.BY_ID_SUFFIX, "bp1abc"),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/xvdc"),
            new DeviceHint(DeviceHint.DEVICE_PATH, "/dev/vdc"));
  }

  @Test
  void withoutASerialOrDeviceTheIdWithoutItsPrefixIsTheSerial() {
    EcsDisk disk = new EcsDisk("d-2ze9", "In_use", "i-vm", "", "", 20, Map.of());
    assertThat(disk.deviceHints())
        .extracting(DeviceHint::value)
        .containsExactly(
            "/dev/disk/by-id/virtio-2ze9",
            "/dev/disk/by-id/nvme-Alibaba_Cloud_Elastic_Block_Storage_2ze9",
            "2ze9");
    EcsDisk onKvmName = new EcsDisk("d-2ze9", "In_use", "i-vm", "/dev/vdd", "", 20, Map.of());
    assertThat(onKvmName.deviceHints()).last().extracting(DeviceHint::value).isEqualTo("/dev/vdd");
  }

  @Test
  void aDiskCountsAsAttachedWhileOnTheWayInOrOut() {
    for (String status : new String[] {"Attaching", "In_use", "Detaching"}) {
      EcsDisk disk = new EcsDisk("d-1", status, "i-vm", "", "", 20, Map.of());
      assertThat(disk.toDisk().attached()).as(status).isTrue();
      assertThat(disk.attachedTo("i-vm")).as(status).isTrue();
      assertThat(disk.attachedTo("i-other")).as(status).isFalse();
    }
    EcsDisk available = new EcsDisk("d-1", "Available", "", "", "", 20, Map.of());
    assertThat(available.toDisk().attached()).isFalse();
    assertThat(available.inUseOn("i-vm")).isFalse();
  }
}
