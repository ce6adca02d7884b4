package io.lapse.service.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lapse.infra.KafkaBroker;
import io.lapse.infra.SchemaRegistry;
import io.lapse.service.ChallengeServiceApp;
import io.lapse.service.routing.InternalAuth;
import io.lapse.service.routing.OwnerRouter;
import io.lapse.service.support.HttpTestClient;
import io.lapse.service.support.HttpTestClient.Reply;
import io.lapse.service.support.RecordingRelay;
import io.lapse.service.support.Scenario;
import io.lapse.service.support.SystemEnv;
import io.lapse.service.support.TwoInstances;
import io.lapse.testkit.LapseIntegration;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two instances on a real broker: a request about an entity that arrives on the instance that does
 * not own it is answered by the owner (its {@code Lapse-Served-By}, and the forwarder's {@code
 * lapse_forwards_total}), and the internal listener refuses a request that is not signed with the
 * cluster key or was seen before (docs/decisions/0009). B's forwards pass a recording relay, so a
 * real one can be captured and sent again.
 */
@LapseIntegration
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardingIT {
  private static final int READS = 200;

  private final HttpClient raw = HttpClient.newHttpClient();
  private TwoInstances instances;
  private RecordingRelay relay;
  private Map<String, String> env;
  private ChallengeServiceApp a;
  private ChallengeServiceApp b;
  private HttpTestClient apiA;
  private HttpTestClient apiB;
  private String service;

  @BeforeAll
  void start(KafkaBroker broker, SchemaRegistry registry) throws IOException {
    // B's internal listener on a port of its own, advertised behind a wiretap: every forward from A
    // to B passes through the relay, which records it.
    int internalB = freePort();
    relay = new RecordingRelay(() -> internalB);
    instances =
        TwoInstances.start(
            broker,
            registry,
            Map.of(
                "LAPSE_INTERNAL_PORT",
                Integer.toString(internalB),
                "LAPSE_INTERNAL_ADVERTISED",
                "127.0.0.1:" + relay.port()));
    env = instances.env;
    a = instances.a;
    b = instances.b;
    apiA = instances.apiA;
    apiB = instances.apiB;
    service = new Scenario(apiA, Clock.systemUTC()).service();
  }

  @AfterAll
  void stop() throws IOException {
    if (instances != null) {
      instances.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void shouldHaveTheOwnerAnswerARequestThatArrivesOnTheOtherInstance() {
    // Entities created through A until one is owned by B: its create was already forwarded.
    String identity = null;
    for (int i = 0; i < 50 && identity == null; i++) {
      String candidate = Scenario.identity();
      Reply created = apiA.post("/v2/Services/" + service + "/Entities", "Identity", candidate);
      assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
      if (servedBy(created).equals(b.instanceId())) {
        identity = candidate;
      } else {
        assertThat(servedBy(created)).isEqualTo(a.instanceId());
      }
    }
    assertThat(identity).as("an entity owned by B among 50 (3 partitions)").isNotNull();
    double before = forwards(apiA, "answered");
    String path = Scenario.entityPath(service, identity);

    long[] viaOwner = new long[READS];
    long[] viaOther = new long[READS];
    for (int i = 0; i < READS; i++) {
      long t0 = System.nanoTime();
      Reply onB = apiB.get(path);
      viaOwner[i] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      Reply onA = apiA.get(path);
      viaOther[i] = System.nanoTime() - t0;
      assertThat(onB.status()).isEqualTo(200);
      assertThat(onA.status()).isEqualTo(200);
      assertThat(servedBy(onB)).isEqualTo(b.instanceId());
      assertThat(servedBy(onA)).as("answered by the owner, B").isEqualTo(b.instanceId());
      assertThat(onA.json()).isEqualTo(onB.json());
    }
    assertThat(forwards(apiA, "answered") - before).isEqualTo(READS);
    assertThat(forwards(apiB, "answered")).isZero();

    // A write arriving on A runs on B as well, and its refusal comes back as B gave it.
    Reply factor = apiA.post(path + "/Factors", "FriendlyName", "phone", "FactorType", "totp");
    assertThat(factor.status()).isEqualTo(201);
    assertThat(servedBy(factor)).isEqualTo(b.instanceId());
    Reply duplicate = apiA.post("/v2/Services/" + service + "/Entities", "Identity", identity);
    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.json().path("code").asInt()).isEqualTo(60301);
    assertThat(servedBy(duplicate)).isEqualTo(b.instanceId());

    Arrays.sort(viaOwner);
    Arrays.sort(viaOther);
    System.out.printf(
        "ForwardingIT: entity GET, %d each: on the owner p50 %.2f ms, p99 %.2f ms; on the other"
            + " instance (forwarded) p50 %.2f ms, p99 %.2f ms%n",
        READS,
        ms(viaOwner[READS / 2]),
        ms(viaOwner[READS * 99 / 100 - 1]),
        ms(viaOther[READS / 2]),
        ms(viaOther[READS * 99 / 100 - 1]));
  }

  @Test
  void shouldRefuseAnInternalRequestWithoutTheClusterKey() throws Exception {
    String target = "/v2/Services/" + service;
    String basic = basic();
    byte[] clusterKey = Base64.getDecoder().decode(env.get("LAPSE_CLUSTER_KEY"));
    InternalAuth right = new InternalAuth(clusterKey, Clock.systemUTC(), this::addressOfB);
    InternalAuth forger =
        new InternalAuth("f".repeat(32).getBytes(UTF_8), Clock.systemUTC(), this::addressOfB);

    HttpResponse<String> unsigned = internalGet(b, target, basic, null);
    HttpResponse<String> forged =
        internalGet(
            b, target, basic, forger.sign("lapse-x", addressOfB(), "GET", target, new byte[0]));
    HttpResponse<String> stale =
        internalGet(
            b,
            target,
            basic,
            new InternalAuth(
                    clusterKey,
                    Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-1)),
                    this::addressOfB)
                .sign("lapse-x", addressOfB(), "GET", target, new byte[0]));
    HttpResponse<String> signed =
        internalGet(
            b, target, basic, right.sign("lapse-x", addressOfB(), "GET", target, new byte[0]));

    for (HttpResponse<String> r : java.util.List.of(unsigned, forged, stale)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("\"code\":20003", "\"status\":401");
    }
    // The same request signed with the cluster key is served: the refusals were the key's.
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
  }

  @Test
  void shouldRefuseARepeatOfAnInternalRequest() throws Exception {
    // A create, where a replay would do harm: a second service from one signed request.
    String target = "/v2/Services";
    byte[] body = ("FriendlyName=replayed-" + Scenario.identity()).getBytes(UTF_8);
    String signed =
        new InternalAuth(
                Base64.getDecoder().decode(env.get("LAPSE_CLUSTER_KEY")),
                Clock.systemUTC(),
                this::addressOfB)
            .sign("lapse-x", addressOfB(), "POST", target, body);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.internalPort() + target))
            .header("Authorization", basic())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(InternalAuth.HEADER, signed)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();

    HttpResponse<String> first = raw.send(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> again = raw.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(401);
    assertThat(again.body()).contains("\"code\":20003", "\"status\":401", "replayed");
  }

  @Test
  void shouldRefuseACapturedForwardSentAgain() throws Exception {
    String identity = entityOwnedByB();
    Reply forwarded = apiA.get(Scenario.entityPath(service, identity));
    assertThat(forwarded.status()).isEqualTo(200);
    assertThat(servedBy(forwarded)).isEqualTo(b.instanceId());

    // The forward as it crossed the internal network: request line and headers (a GET has no body).
    String wire = relay.sent();
    int start = wire.lastIndexOf("GET " + Scenario.entityPath(service, identity) + " HTTP/1.1\r\n");
    assertThat(start).as("the forward passed the relay").isNotNegative();
    String captured = wire.substring(start, wire.indexOf("\r\n\r\n", start) + 4);
    assertThat(captured).containsIgnoringCase(InternalAuth.HEADER + ": v3:" + a.instanceId() + ":");

    // Sent to another instance of the cluster (A has never seen it, so only the receiver named in
    // the MAC can stop it), then to B itself.
    assertThat(sendRaw(a.internalPort(), captured))
        .as("A's answer to a forward captured on its way to B")
        .startsWith("HTTP/1.1 401")
        .contains("\"code\":20003", "invalid " + InternalAuth.HEADER);
    assertThat(sendRaw(b.internalPort(), captured))
        .as("B's answer to the captured forward, sent again")
        .startsWith("HTTP/1.1 401")
        .contains("\"code\":20003", "replayed " + InternalAuth.HEADER);
  }

  /** Writes a captured request as it is and reads the answer until its JSON body has come. */
  private static String sendRaw(int port, String request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      // Read until the refusal's body has come (the connection stays open: keep-alive).
      s.setSoTimeout(10_000);
      StringBuilder answer = new StringBuilder();
      byte[] buf = new byte[4096];
      for (int n; !answer.toString().contains("}") && (n = s.getInputStream().read(buf)) > 0; ) {
        answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      return answer.toString();
    }
  }

  /** Where A sends B's forwards: B advertises the relay (see setUp). */
  private String addressOfB() {
    return "127.0.0.1:" + relay.port();
  }

  private String entityOwnedByB() {
    for (int i = 0; i < 50; i++) {
      String candidate = Scenario.identity();
      Reply created = apiA.post("/v2/Services/" + service + "/Entities", "Identity", candidate);
      assertThat(created.status()).isEqualTo(201);
      if (servedBy(created).equals(b.instanceId())) {
        return candidate;
      }
    }
    throw new AssertionError("no entity owned by B among 50 (3 partitions)");
  }

  private static String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((SystemEnv.ACCOUNT + ":" + SystemEnv.TOKEN).getBytes(UTF_8));
  }

  private HttpResponse<String> internalGet(
      ChallengeServiceApp app, String target, String basic, String internalAuth) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.internalPort() + target))
            .header("Authorization", basic)
            .GET();
    if (internalAuth != null) {
      r.header(InternalAuth.HEADER, internalAuth);
    }
    return raw.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String servedBy(Reply r) {
    return r.headers().firstValue(OwnerRouter.SERVED_BY).orElse("");
  }

  private static double forwards(HttpTestClient api, String result) {
    return api.metric("lapse_forwards_total{result=\"" + result + "\"}");
  }

  private static double ms(long nanos) {
    return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
  }
}
