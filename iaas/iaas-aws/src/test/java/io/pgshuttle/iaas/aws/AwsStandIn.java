package io.pgshuttle.iaas.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pgshuttle.iaas.CloudStandIn;
import io.pgshuttle.iaas.DiskProvisionerContract.CloudFaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stand-in of the EC2 API on 127.0.0.1: WireMock answering the EC2 Query API from the state of a
 * fake account ({@link FakeEc2}) with one running instance, {@link #INSTANCE_ID} in {@link #ZONE},
 * whose {@code /dev/sdf} already holds a BOSH persistent disk.
 *
 * <p>Use: {@code try (AwsStandIn ec2 = new AwsStandIn()) { ... }} (or find it with {@code
 * ServiceLoader.load(CloudStandIn.class)}, which starts it too); run the provider with {@link
 * #settings()} as {@code agent.iaasSettings} and {@link #environment()} in its environment (dummy
 * credentials for the SDK's default chain; an in-JVM test needs them in the JVM's environment, as
 * this module's failsafe configuration sets them). Each volume stays in a passing state ({@code
 * creating}, {@code attaching}, {@code detaching}, {@code deleting}) for two DescribeVolumes polls
 * before it moves on. Thread-safe.
 */
public final class AwsStandIn implements CloudStandIn {
  public static final String REGION = "us-east-1";
  public static final String ZONE = "us-east-1a";
  public static final String INSTANCE_ID = "i-0a1b2c3d4e5f60718";
  public static final String ACCESS_KEY_ID = "AKIAPGSHUTTLESTANDIN";
  private static final int POLLS_PER_TRANSITION = 2;

  private final FakeEc2 ec2;
  private final WireMockServer server;

  /** Starts a stand-in on a free port of 127.0.0.1; also how ServiceLoader makes one. */
  public AwsStandIn() {
    ec2 = new FakeEc2(REGION, INSTANCE_ID, ZONE, POLLS_PER_TRANSITION);
    server =
        new WireMockServer(
            wireMockConfig()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .extensions(new Ec2QueryApi(ec2)));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse()));
  }

  @Override
  public String providerId() {
    return AwsDiskProvisionerProvider.ID;
  }

  @Override
  public Map<String, String> settings() {
    return Map.of(
        AwsDiskProvisionerProvider.ENDPOINT,
        "http://127.0.0.1:" + server.port(),
        AwsDiskProvisionerProvider.REGION,
        REGION,
        AwsDiskProvisionerProvider.AVAILABILITY_ZONE,
        ZONE,
        AwsDiskProvisionerProvider.VM_ID,
        INSTANCE_ID,
        AwsDiskProvisionerProvider.POLL_INTERVAL,
        "PT0.01S",
        AwsDiskProvisionerProvider.OPERATION_TIMEOUT,
        "PT10S",
        AwsDiskProvisionerProvider.MAX_ATTEMPTS,
        "1");
  }

  @Override
  public Map<String, String> environment() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY", "pgshuttle-stand-in-secret",
        "AWS_EC2_METADATA_DISABLED", "true");
  }

  @Override
  public void onAttach(Consumer<String> devicePath) {
    ec2.onAttach(devicePath);
  }

  /**
   * The volumes made through the API that exist now, in any state; the VM's root volume and BOSH
   * persistent disk, there from the start, are not among them.
   */
  @Override
  public List<String> diskIds() {
    return ec2.createdVolumeIds();
  }

  /** The faults the contract suite injects. */
  public CloudFaults faults() {
    return new CloudFaults() {
      @Override
      public void throttleNextCall() {
        ec2.injectError(null, 503, "RequestLimitExceeded", "Request limit exceeded.");
      }

      @Override
      public void denyNextCall() {
        ec2.injectError(
            null,
            403,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation. Encoded authorization failure"
                + " message: 4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abcdefghijklmnopqrstuvwxyz");
      }

      @Override
      public void exceedQuotaOnNextCreate() {
        ec2.injectError(
            "CreateVolume",
            400,
            "VolumeLimitExceeded",
            "You have exceeded your maximum gp3 storage limit of 51200 GiB in this region.");
      }
    };
  }

  /** The next call of {@code action} (any action if null) fails with this EC2 error. */
  public void failNextCall(String action, int httpStatus, String code, String message) {
    ec2.injectError(action, httpStatus, code, message);
  }

  /** The next call of {@code action} is carried out, but its connection drops before the answer. */
  public void loseNextResponseTo(String action) {
    ec2.loseNextResponseTo(action);
  }

  /**
   * The next DescribeVolumes with a tag filter finds nothing, as EC2's eventually consistent reads
   * may right after a create.
   */
  public void hideVolumesFromNextTagSearch() {
    ec2.hideVolumesFromNextTagSearch();
  }

  /** From now on no volume leaves its passing state: operations never finish. */
  public void freezeTransitions() {
    ec2.freezeTransitions();
  }

  /** Ids of the volumes whose tag {@code key} is {@code value}, from the fake's own state. */
  public List<String> volumesTagged(String key, String value) {
    return ec2.volumesTagged(key, value);
  }

  /** The volume's state ({@code available}, {@code in-use}...), empty if it does not exist. */
  public Optional<String> volumeState(String volumeId) {
    return ec2.volumeState(volumeId);
  }

  /** The state of the volume's attachment, empty if it has none. */
  public Optional<String> attachmentState(String volumeId) {
    return ec2.attachmentState(volumeId);
  }

  /** The calls of {@code action} received so far, oldest first. */
  public List<Ec2Call> calls(String action) {
    List<ServeEvent> newestFirst = server.getAllServeEvents();
    List<Ec2Call> calls = new ArrayList<>();
    for (int n = newestFirst.size() - 1; n >= 0; n--) {
      LoggedRequest request = newestFirst.get(n).getRequest();
      Map<String, String> params = Ec2Call.decodeForm(request.getBodyAsString());
      if (action.equals(params.get("Action"))) {
        String authorization = request.getHeader("Authorization");
        calls.add(new Ec2Call(action, params, authorization == null ? "" : authorization));
      }
    }
    return calls;
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Answers every request from the fake EC2's state. */
  private static final class Ec2QueryApi implements ResponseDefinitionTransformerV2 {
    private final FakeEc2 ec2;

    Ec2QueryApi(FakeEc2 ec2) {
      this.ec2 = ec2;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      FakeEc2.Reply reply = ec2.handle(Ec2Call.decodeForm(event.getRequest().getBodyAsString()));
      if (reply.dropConnection()) {
        return ResponseDefinitionBuilder.responseDefinition()
            .withFault(Fault.CONNECTION_RESET_BY_PEER)
            .build();
      }
      return ResponseDefinitionBuilder.responseDefinition()
          .withStatus(reply.status())
          .withHeader("Content-Type", "text/xml;charset=UTF-8")
          .withBody(reply.body())
          .build();
    }

    @Override
    public String getName() {
      return "ec2-query-api";
    }
  }
}
