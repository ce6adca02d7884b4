package io.lapse.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.examples.DeviceSigner;
import io.lapse.examples.TotpCodes;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The HTTP side of issue 12's goals, measured from outside the running system: {@code clients}
 * closed-loop clients on loopback, each with its own verified push factor and its own TOTP factors,
 * run three timed phases one after the other, as a relying party and a phone would:
 *
 * <ul>
 *   <li><b>create</b>: {@code POST …/Challenges} for the push factor (the server SDK's call);
 *   <li><b>verify</b>: a TOTP challenge is created (untimed), then the user's code is posted
 *       (timed);
 *   <li><b>approve</b>: a push challenge is created and fetched with a device token as the phone
 *       does (untimed), then the signed JWS approval is posted (timed).
 * </ul>
 *
 * <p>One-time codes (decision 0008's factor state): a TOTP step accepted once is never accepted
 * again, so every verification needs a factor whose last accepted step is older than the step it
 * sends. Each client therefore holds many TOTP factors, each on its own entity (Twilio's per-entity
 * factor limits), and takes the next one that still has a fresh step; {@link #nextStep} picks it.
 */
public final class HttpLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** What the load is told to do. */
  public record Settings(int clients, Duration phase, int totpFactorsPerClient) {
    public static Settings standard() {
      return new Settings(16, Duration.ofSeconds(15), 150);
    }
  }

  private final String api;
  private final String accountSid;
  private final String basic;
  private final Settings settings;
  private final PrintStream out;
  private final ProcessHandle system;
  private double idleCpuPerSecond;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  /**
   * A load against {@code api}; {@code system} is the running system's process (its CPU time, with
   * its children's, is reported per phase), or null when unknown.
   */
  public HttpLoad(
      String api,
      String accountSid,
      String authToken,
      Settings settings,
      ProcessHandle system,
      PrintStream out) {
    this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    this.accountSid = accountSid;
    this.basic = basicAuth(accountSid, authToken);
    this.settings = settings;
    this.out = out;
    this.system = system;
  }

  /**
   * The step a factor may use now: the current one if it is newer than the last accepted, else the
   * next (inside the default skew of one step), else none. The previous step is never used: the
   * server's clock may pass the step boundary while the request travels, and step − 1 would then
   * lie outside its skew.
   */
  public static OptionalLong nextStep(long lastAccepted, long current) {
    if (current > lastAccepted) {
      return OptionalLong.of(current);
    }
    if (current + 1 > lastAccepted) {
      return OptionalLong.of(current + 1);
    }
    return OptionalLong.empty();
  }

  /** Sets up, runs the three phases, prints a line per phase; the phases in order. */
  public List<HttpPhase> run() throws IOException, InterruptedException {
    return run(false).phases();
  }

  /** The closed-loop phases run, and the overload's result when one was asked for. */
  public record Result(List<HttpPhase> phases, Overload overload) {}

  /**
   * Sets up and, with {@code overload}, runs the closed-loop create phase to find the saturating
   * rate, then offers twice that open-loop for a phase's length ({@link #overload}); without, runs
   * the three phases.
   */
  public Result run(boolean overload) throws IOException, InterruptedException {
    long start = System.nanoTime();
    String service = create("/v2/Services", form("FriendlyName", "lapse load " + run)).text("sid");
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < settings.clients(); i++) {
      clients.add(new Client(i, service));
    }
    ExecutorService pool = Executors.newFixedThreadPool(settings.clients());
    try {
      // The overload creates push challenges only: no TOTP factors to set up.
      int totpFactors = overload ? 0 : settings.totpFactorsPerClient();
      inParallel(pool, clients, c -> c.setUp(totpFactors));
      out.printf(
          "load --http: %d clients set up (%d push + %d TOTP factors) in %.1f s%n",
          clients.size(),
          clients.size(),
          clients.size() * totpFactors,
          (System.nanoTime() - start) / 1e9);
      idleCpuPerSecond = idleCpu();
      List<HttpPhase> phases = new ArrayList<>();
      phases.add(phase(pool, clients, "create", Client::createOnce));
      if (overload) {
        Overload o = overload(pool, clients, 2 * phases.get(0).rate());
        out.println("load --http --overload: " + o.line());
        return new Result(phases, o);
      }
      phases.add(phase(pool, clients, "verify", Client::verifyOnce));
      phases.add(phase(pool, clients, "approve", Client::approveOnce));
      int starved = clients.stream().mapToInt(c -> c.starved).sum();
      if (starved > 0) {
        out.printf(
            "load --http: %d verifications waited for a fresh TOTP step (raise --totp-factors)%n",
            starved);
      }
      return new Result(phases, null);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Requests in flight at most during an overload; beyond, the load counts a request not sent. */
  private static final int MAX_IN_FLIGHT = 4_000;

  /**
   * Offers push challenge creates at {@code rate} per second for a phase's length, open loop (a
   * request is sent on schedule whether or not earlier ones were answered, as real users do); once
   * the offer stops, sends one create at a time until one is answered 201 within {@link
   * Overload#RECOVERED_MILLIS} (the time to recover), waits for every answer, and reads back every
   * accepted challenge.
   */
  private Overload overload(ExecutorService pool, List<Client> clients, double rate)
      throws InterruptedException {
    out.printf("load --http --overload: offering %.0f creates/s open loop%n", rate);
    HttpClient async =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    Queue<String> acceptedPaths = new ConcurrentLinkedQueue<>();
    Queue<Long> acceptedMicros = new ConcurrentLinkedQueue<>();
    Queue<Long> shedMicros = new ConcurrentLinkedQueue<>();
    AtomicInteger bare = new AtomicInteger();
    AtomicInteger serverErrors = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    long interval = (long) (1e9 / Math.max(1, rate));
    long start = System.nanoTime();
    long end = start + settings.phase().toNanos();
    long next = start;
    int sent = 0;
    int notSent = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= end) {
        break;
      }
      if (now < next) {
        LockSupport.parkNanos(next - now); // the offer's schedule
        continue;
      }
      next += interval;
      if (!inFlight.tryAcquire()) {
        notSent++;
        continue;
      }
      Client c = clients.get(sent++ % clients.size());
      long t0 = System.nanoTime();
      async
          .sendAsync(c.createRequest(), HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, error) -> {
                try {
                  long micros = (System.nanoTime() - t0) / 1_000;
                  if (error != null) {
                    failed.incrementAndGet();
                  } else if (r.statusCode() == 201) {
                    acceptedMicros.add(micros);
                    acceptedPaths.add(c.pushEntity + "/Challenges/" + sidOf(r.body()));
                  } else if (r.statusCode() == 503 && codeOf(r.body()) == 20503) {
                    if (r.headers().firstValue("Retry-After").isPresent()) {
                      shedMicros.add(micros);
                    } else {
                      bare.incrementAndGet();
                    }
                  } else if (r.statusCode() >= 500) {
                    serverErrors.incrementAndGet();
                  } else {
                    failed.incrementAndGet();
                  }
                } finally {
                  inFlight.release();
                }
              });
    }
    long offerEnded = System.nanoTime();
    long recoveredMillis = recover(clients.get(0), offerEnded, acceptedPaths);
    boolean drained = inFlight.tryAcquire(MAX_IN_FLIGHT, 120, TimeUnit.SECONDS);
    long drainedMillis = (System.nanoTime() - offerEnded) / 1_000_000;
    if (!drained) {
      out.println("load --http --overload: answers still missing 120 s after the offer ended");
    }
    List<String> paths = new ArrayList<>(acceptedPaths);
    AtomicInteger lost = new AtomicInteger();
    List<Future<Object>> reads = new ArrayList<>();
    int readers = clients.size();
    for (int r = 0; r < readers; r++) {
      int from = r;
      reads.add(
          pool.submit(
              () -> {
                for (int i = from; i < paths.size(); i += readers) {
                  if (send("GET", paths.get(i), "", basic).status() != 200) {
                    lost.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<Object> f : reads) {
      join(f);
    }
    return new Overload(
        rate,
        settings.phase().toSeconds(),
        sent,
        acceptedMicros.stream().mapToLong(Long::longValue).toArray(),
        shedMicros.stream().mapToLong(Long::longValue).toArray(),
        bare.get(),
        serverErrors.get(),
        failed.get(),
        notSent,
        drainedMillis,
        recoveredMillis,
        lost.get());
  }

  /**
   * Milliseconds from {@code offerEnded} until a create, sent one at a time, is answered 201 within
   * {@link Overload#RECOVERED_MILLIS}; -1 if none is within 120 s. Every accepted probe joins
   * {@code acceptedPaths}, to be read back with the others.
   */
  private long recover(Client c, long offerEnded, Queue<String> acceptedPaths)
      throws InterruptedException {
    long giveUp = offerEnded + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < giveUp) {
      long t0 = System.nanoTime();
      try {
        Reply r = c.createPushChallenge();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (r.status() == 201) {
          acceptedPaths.add(c.pushEntity + "/Challenges/" + r.text("sid"));
          if (millis <= Overload.RECOVERED_MILLIS) {
            return (System.nanoTime() - offerEnded) / 1_000_000;
          }
        }
      } catch (IOException e) {
        // Not answered: not recovered yet.
      }
      Thread.sleep(20); // pacing the probes, not waiting for a condition
    }
    return -1;
  }

  private static int codeOf(String body) {
    try {
      return JSON.readTree(body).path("code").asInt();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String sidOf(String body) {
    try {
      return JSON.readTree(body).path("sid").asText();
    } catch (IOException e) {
      return "unreadable";
    }
  }

  private interface Step {
    Outcome once(Client c) throws IOException, InterruptedException;
  }

  /** A timed request's latency and whether its answer was the expected one. */
  private record Outcome(long micros, boolean expected, boolean serverError) {}

  private HttpPhase phase(ExecutorService pool, List<Client> clients, String name, Step step)
      throws InterruptedException {
    long end = System.nanoTime() + settings.phase().toNanos();
    long began = System.nanoTime();
    long cpuBefore = system == null ? 0 : ProcessCpu.treeNanos(system);
    List<Future<List<Outcome>>> futures = new ArrayList<>();
    for (Client c : clients) {
      futures.add(
          pool.submit(
              () -> {
                List<Outcome> outcomes = new ArrayList<>();
                while (System.nanoTime() < end) {
                  outcomes.add(step.once(c));
                }
                return outcomes;
              }));
    }
    List<Outcome> all = new ArrayList<>();
    for (Future<List<Outcome>> f : futures) {
      all.addAll(join(f));
    }
    long elapsed = (System.nanoTime() - began) / 1_000_000;
    // Net of what the system burns idle (its pollers), so the figure is the requests' cost.
    long cpu =
        system == null
            ? 0
            : Math.max(
                0,
                ProcessCpu.treeNanos(system)
                    - cpuBefore
                    - (long) (idleCpuPerSecond * elapsed / 1000.0));
    HttpPhase phase =
        new HttpPhase(
            name,
            all.stream().mapToLong(Outcome::micros).toArray(),
            (int) all.stream().filter(o -> !o.expected()).count(),
            (int) all.stream().filter(Outcome::serverError).count(),
            elapsed,
            cpu);
    out.println("load --http: " + phase.line());
    return phase;
  }

  /** CPU nanoseconds per second the system uses with no request in flight, over 3 s. */
  private double idleCpu() throws InterruptedException {
    if (system == null) {
      return 0;
    }
    long before = ProcessCpu.treeNanos(system);
    long began = System.nanoTime();
    Thread.sleep(3_000); // a measurement window, not a wait for something to happen
    double perSecond =
        (ProcessCpu.treeNanos(system) - before) / ((System.nanoTime() - began) / 1e9);
    out.printf("load --http: the system idle uses %.0f ms CPU per second%n", perSecond / 1e6);
    return perSecond;
  }

  private interface Task {
    void run(Client c) throws IOException, InterruptedException;
  }

  private static void inParallel(ExecutorService pool, List<Client> clients, Task task)
      throws InterruptedException {
    List<Future<Object>> futures = new ArrayList<>();
    for (Client c : clients) {
      futures.add(
          pool.submit(
              () -> {
                task.run(c);
                return null;
              }));
    }
    for (Future<Object> f : futures) {
      join(f);
    }
  }

  private static <T> T join(Future<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r
          ? r
          : new IllegalStateException(cause.getMessage(), cause);
    }
  }

  /** A TOTP factor on an entity of its own, with the last step the server accepted from it. */
  private static final class TotpFactor {
    final String path;
    final String secret;
    long lastStep;

    TotpFactor(String path, String secret, long lastStep) {
      this.path = path;
      this.secret = secret;
      this.lastStep = lastStep;
    }
  }

  /** One closed-loop client: a phone's push factor and a user's TOTP factors. */
  private final class Client {
    final int index;
    final String service;
    final KeyPair keys = DeviceSigner.newKeyPair();
    final List<TotpFactor> totp = new ArrayList<>();
    String pushEntity;
    String pushFactor;
    String credentialSid;
    String deviceToken;
    Instant deviceTokenAt = Instant.EPOCH;
    int nextTotp;
    int starved;

    Client(int index, String service) {
      this.index = index;
      this.service = service;
    }

    void setUp(int totpFactors) throws IOException, InterruptedException {
      pushEntity = "/v2/Services/" + service + "/Entities/load-" + run + "-p" + index;
      Reply factor =
          create(
              pushEntity + "/Factors",
              form(
                  "FriendlyName", "load phone",
                  "FactorType", "push",
                  "Binding.PublicKey",
                      Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
                  "Binding.Alg", "ES256",
                  "Config.SdkVersion", "0.9.0",
                  "Config.AppId", "io.lapse.load",
                  "Config.NotificationPlatform", "none"));
      pushFactor = factor.text("sid");
      credentialSid = factor.json().path("config").path("credential_sid").asText();
      expect(
          send(
              "POST",
              pushEntity + "/Factors/" + pushFactor,
              form("AuthPayload", DeviceSigner.derSignature(keys, pushFactor)),
              basic),
          200,
          "verified",
          "push factor verification");
      for (int j = 0; j < totpFactors; j++) {
        String entity =
            "/v2/Services/" + service + "/Entities/load-" + run + "-t" + index + "-" + j;
        Reply t =
            create(entity + "/Factors", form("FriendlyName", "load app", "FactorType", "totp"));
        String path = entity + "/Factors/" + t.text("sid");
        String secret = t.json().path("binding").path("secret").asText();
        long step = Instant.now().getEpochSecond() / 30;
        expect(
            send(
                "POST",
                path,
                form("AuthPayload", TotpCodes.code(secret, Instant.ofEpochSecond(step * 30))),
                basic),
            200,
            "verified",
            "TOTP factor verification");
        totp.add(new TotpFactor(path, secret, step));
      }
    }

    Outcome createOnce() throws IOException, InterruptedException {
      long t0 = System.nanoTime();
      Reply r = createPushChallenge();
      return outcome(t0, r, 201, "pending");
    }

    Outcome verifyOnce() throws IOException, InterruptedException {
      TotpFactor f = null;
      long step = 0;
      while (f == null) {
        long current = Instant.now().getEpochSecond() / 30;
        for (int tries = 0; tries < totp.size() && f == null; tries++) {
          TotpFactor candidate = totp.get(nextTotp);
          nextTotp = (nextTotp + 1) % totp.size();
          OptionalLong s = nextStep(candidate.lastStep, current);
          if (s.isPresent()) {
            f = candidate;
            step = s.getAsLong();
          }
        }
        if (f == null) {
          starved++;
          waitForNextStep(current);
        }
      }
      String entity = f.path.substring(0, f.path.indexOf("/Factors/"));
      String factorSid = f.path.substring(f.path.lastIndexOf('/') + 1);
      Reply challenge = send("POST", entity + "/Challenges", form("FactorSid", factorSid), basic);
      if (challenge.status() != 201) {
        return new Outcome(0, false, challenge.status() >= 500);
      }
      String code = TotpCodes.code(f.secret, Instant.ofEpochSecond(step * 30));
      long t0 = System.nanoTime();
      Reply r =
          send(
              "POST",
              entity + "/Challenges/" + challenge.text("sid"),
              form("AuthPayload", code),
              basic);
      f.lastStep = step;
      return outcome(t0, r, 200, "approved");
    }

    Outcome approveOnce() throws IOException, InterruptedException {
      Reply challenge = createPushChallenge();
      if (challenge.status() != 201) {
        return new Outcome(0, false, challenge.status() >= 500);
      }
      String path = pushEntity + "/Challenges/" + challenge.text("sid");
      String device = deviceToken();
      Reply fetched = send("GET", path, "", device);
      String fields = fetched.header("Twilio-Verify-Signature-Fields");
      if (fetched.status() != 200 || fields == null) {
        return new Outcome(0, false, fetched.status() >= 500);
      }
      ObjectNode payload = JSON.createObjectNode();
      for (String field : fields.split(",")) {
        payload.set(field, fetched.json().get(field));
      }
      payload.put("status", "approved");
      String jws = DeviceSigner.signJws(keys, payload.toString());
      long t0 = System.nanoTime();
      Reply r = send("POST", path, form("AuthPayload", jws), device);
      return outcome(t0, r, 200, "approved");
    }

    private Reply createPushChallenge() throws IOException, InterruptedException {
      return send("POST", pushEntity + "/Challenges", createBody(), basic);
    }

    HttpRequest createRequest() {
      return request("POST", pushEntity + "/Challenges", createBody(), basic);
    }

    private String createBody() {
      return form("FactorSid", pushFactor, "Details.Message", "Log in to Lapse load");
    }

    /** A device token as the SDKs sign one (ten minutes), renewed well before it lapses. */
    private String deviceToken() {
      Instant now = Instant.now();
      if (deviceToken == null || now.isAfter(deviceTokenAt.plusSeconds(300))) {
        deviceToken =
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        ("token:" + DeviceSigner.sdkToken(keys, credentialSid, accountSid, now))
                            .getBytes(StandardCharsets.UTF_8));
        deviceTokenAt = now;
      }
      return deviceToken;
    }
  }

  private static void waitForNextStep(long current) throws InterruptedException {
    long wake = (current + 1) * 30_000;
    long ms = wake - System.currentTimeMillis();
    if (ms > 0) {
      Thread.sleep(ms); // pacing to a wall-clock boundary, not synchronisation with the server
    }
  }

  private static Outcome outcome(long t0, Reply r, int status, String expectedStatus) {
    long micros = (System.nanoTime() - t0) / 1_000;
    boolean expected = r.status() == status && expectedStatus.equals(r.text("status"));
    return new Outcome(micros, expected, r.status() >= 500);
  }

  private Reply create(String path, String body) throws IOException, InterruptedException {
    Reply r = send("POST", path, body, basic);
    if (r.status() != 201) {
      throw new IllegalStateException(
          "load --http: POST " + path + " answered " + r.status() + " " + r.body());
    }
    return r;
  }

  private static void expect(Reply r, int status, String value, String what) {
    if (r.status() != status || !value.equals(r.text("status"))) {
      throw new IllegalStateException(
          "load --http: " + what + " answered " + r.status() + " " + r.body());
    }
  }

  private record Reply(int status, String body, JsonNode json, HttpResponse<String> response) {
    String text(String field) {
      return json == null ? null : json.path(field).asText(null);
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  private HttpRequest request(String method, String path, String body, String authorization) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(TIMEOUT)
            .header("Authorization", authorization)
            .header("Accept", "application/json");
    if (method.equals("GET")) {
      b.GET();
    } else {
      b.header("Content-Type", FORM).method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return b.build();
  }

  private Reply send(String method, String path, String body, String authorization)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(request(method, path, body, authorization), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    if (!r.body().isEmpty()) {
      try {
        json = JSON.readTree(r.body());
      } catch (IOException e) {
        json = null; // not JSON: the status alone is judged
      }
    }
    return new Reply(r.statusCode(), r.body(), json, r);
  }

  private static String form(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String basicAuth(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
