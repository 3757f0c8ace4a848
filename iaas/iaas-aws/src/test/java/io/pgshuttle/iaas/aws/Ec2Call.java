package io.pgshuttle.iaas.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One EC2 Query API request as it went over the wire to the {@link AwsStandIn}. Immutable; no
 * component is null.
 *
 * @param action the {@code Action} parameter, such as {@code CreateVolume}
 * @param params every form parameter, decoded, in the order sent
 * @param authorization the {@code Authorization} header (SigV4), empty if none
 */
public record Ec2Call(String action, Map<String, String> params, String authorization) {
  public Ec2Call {
    params = Map.copyOf(params);
  }

  /** The value of form parameter {@code name}, or null. */
  public String param(String name) {
    return params.get(name);
  }

  /** The tags of the first TagSpecification, as {@code CreateVolume} sends them. */
  public Map<String, String> tagSpecification() {
    Map<String, String> tags = new LinkedHashMap<>();
    for (int n = 1; params.containsKey("TagSpecification.1.Tag." + n + ".Key"); n++) {
      tags.put(
          params.get("TagSpecification.1.Tag." + n + ".Key"),
          params.get("TagSpecification.1.Tag." + n + ".Value"));
    }
    return tags;
  }

  /** Decodes an {@code application/x-www-form-urlencoded} body. */
  static Map<String, String> decodeForm(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      params.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}
