package io.lapse.service;

import io.lapse.service.api.HttpApi;
import io.lapse.service.crypto.SecretCipher;
import io.lapse.service.domain.Catalog;
import io.lapse.service.domain.ChallengeCreation;
import io.lapse.service.domain.ChallengeVerification;
import io.lapse.service.domain.ChallengeView;
import io.lapse.service.domain.Challenges;
import io.lapse.service.domain.Domain;
import io.lapse.service.domain.FactorCrypto;
import io.lapse.service.domain.MissedReads;
import io.lapse.service.domain.SnapshotTable;
import io.lapse.service.domain.WaitingLimit;
import io.lapse.service.domain.Webhooks;
import io.lapse.service.kafka.EntityDecisionCounts;
import io.lapse.service.kafka.EntityStreams;
import io.lapse.service.kafka.EventProducer;
import io.lapse.service.kafka.Follower;
import io.lapse.service.kafka.KafkaAttemptGateway;
import io.lapse.service.kafka.KafkaCommandBus;
import io.lapse.service.kafka.KafkaWebhookLog;
import io.lapse.service.kafka.LogCatchUp;
import io.lapse.service.kafka.StoreChallenges;
import io.lapse.service.kafka.TrustedCreates;
import io.lapse.service.routing.Forwarder;
import io.lapse.service.routing.InternalAuth;
import io.lapse.service.routing.Owner;
import io.lapse.service.routing.OwnerRouter;
import io.lapse.service.webhook.WebhookDelivery;
import io.lapse.service.webhook.WebhookDispatcher;
import io.lapse.state.v1.WebhookSnapshot;
import io.lapse.topics.ContractRegistration;
import io.lapse.topics.KafkaConnection;
import io.lapse.topics.LapseTopics;
import io.lapse.topics.TopicNames;
import io.lapse.topics.TopicProvisioner;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The challenge service as a running thing: provisions the topics it writes, starts its entity
 * tasks (the Streams app that decides every entity and factor write, {@link EntityStreams}), reads
 * the state topics and the recent challenge events back (so a restart loses nothing), then serves
 * HTTP. {@link #start} returns when the instance is ready; {@link #close} stops it.
 */
public final class ChallengeServiceApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChallengeServiceApp.class);

  /** Threads writing answers that waited; the writes are small and buffered, never slow. */
  private static final int ANSWER_THREADS = 4;

  private final List<AutoCloseable> resources;
  private final HttpApi http;
  private final String baseUrl;
  private final Domain domain;
  private final EntityStreams entityTasks;
  private final EntityDecisionCounts decisions;
  private final WebhookDelivery webhooks;
  private final String instanceId;
  private final HttpApi internal;

  private ChallengeServiceApp(
      List<AutoCloseable> resources,
      HttpApi http,
      String baseUrl,
      Domain domain,
      EntityStreams entityTasks,
      EntityDecisionCounts decisions,
      WebhookDelivery webhooks,
      String instanceId,
      HttpApi internal) {
    this.instanceId = instanceId;
    this.internal = internal;
    this.resources = resources;
    this.http = http;
    this.baseUrl = baseUrl;
    this.domain = domain;
    this.entityTasks = entityTasks;
    this.decisions = decisions;
    this.webhooks = webhooks;
  }

  /** Starts with the system clock. */
  public static ChallengeServiceApp start(ServiceConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** Starts the service; returns once it serves. On failure, whatever started is stopped. */
  public static ChallengeServiceApp start(ServiceConfig config, Clock clock) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      return startInto(config, clock, resources);
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  private static ChallengeServiceApp startInto(
      ServiceConfig config, Clock clock, List<AutoCloseable> resources) {
    KafkaConnection kafka = config.kafka();
    LOG.info("Starting challenge service: {}", config);
    provision(kafka);
    ContractRegistration.atStart(kafka, config.startupTimeout());
    LapseTopics topics = kafka.topics();
    EventProducer producer = new EventProducer(kafka);
    resources.add(producer);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    EntityDecisionCounts decisions = new EntityDecisionCounts(metrics);
    KafkaCommandBus commands = new KafkaCommandBus(producer, topics.commands());
    // Replies are read from the end: only requests sent from now on wait for one.
    Follower replies =
        new Follower(
            "replies",
            kafka,
            config.fetchMaxWait(),
            List.of(
                new Follower.Subscription<>(
                    topics.replies(), clock.instant(), (k, v, o) -> commands.onReply(v))));
    resources.add(0, replies);
    replies.start();

    Catalog catalog = new Catalog();
    SnapshotTable<WebhookSnapshot> webhookTable = Webhooks.newTable();
    Follower state =
        new Follower(
            "state",
            kafka,
            Duration.ofMillis(500),
            List.of(
                Follower.Subscription.fromBeginning(
                    topics.services(), (k, v, o) -> catalog.services().apply(k, o, v)),
                Follower.Subscription.fromBeginning(
                    topics.entities(), (k, v, o) -> catalog.entities().apply(k, o, v)),
                Follower.Subscription.fromBeginning(
                    topics.factors(), (k, v, o) -> catalog.factors().apply(k, o, v)),
                Follower.Subscription.fromBeginning(
                    topics.webhooks(), (k, v, o) -> webhookTable.apply(k, o, v))));
    resources.add(0, state);
    state.start();

    ChallengeView view = new ChallengeView(clock);
    // A create anyone could have written to the topic shows nothing (0020): the view takes only
    // what the processor will also act on.
    TrustedCreates trustedCreates = new TrustedCreates(config.challengeMacKeys(), metrics);
    KafkaAttemptGateway gateway = new KafkaAttemptGateway(producer, topics.challengeResponses());
    // One follower feeds both the view and request-reply. The view needs the events of the
    // retention window (a challenge lives at most its maximum lifetime, then stays readable for the
    // retention); once caught up it reads at the end of challenge-outcomes, and no request waits
    // before that (HTTP starts after catch-up), so it answers exactly like a from-the-end reader
    // while keeping view and reply in one order: an outcome is in the view before its waiter
    // completes.
    Instant since =
        clock.instant().minus(config.challengeRetention()).minus(ChallengeCreation.MAX_LIFETIME);
    Follower events =
        new Follower(
            "challenges",
            kafka,
            config.fetchMaxWait(),
            List.of(
                new Follower.Subscription<>(
                    topics.challengeCreated(),
                    since,
                    (k, v, o) -> {
                      if (v != null && trustedCreates.admit(k, v, "offset " + o)) {
                        view.applyCreated(v);
                      }
                    }),
                new Follower.Subscription<>(
                    topics.challengeOutcomes(),
                    since,
                    (k, v, o) -> {
                      view.applyOutcome(v);
                      gateway.onOutcome(v);
                    }),
                new Follower.Subscription<>(
                    topics.challengeExpired(), since, (k, v, o) -> view.applyExpired(v)),
                new Follower.Subscription<>(
                    topics.challengeNotifications(),
                    since,
                    (k, v, o) -> view.applyNotification(v))));
    resources.add(0, events);
    events.start();

    // Answers that waited (a verification, a read that caught up, a forward) are written here,
    // never on the follower thread that completed the wait.
    ExecutorService answers = daemonPool(ANSWER_THREADS, "lapse-answers");
    resources.add(0, answers::shutdownNow);
    LogCatchUp catchUp =
        new LogCatchUp(
            Admin.create(kafka.clientProps()), List.of(state, events), config.readSyncTimeout());
    resources.add(0, catchUp);
    WaitingLimit verifications = new WaitingLimit("verifications", config.maxWaitingRequests());
    MissedReads misses =
        new MissedReads(
            catchUp, new WaitingLimit("reads catching up", config.maxWaitingRequests()), answers);
    // The owner's challenge-records answer challenge reads once the entity tasks run (attached
    // below); until then, and wherever this instance is not the owner, the view does.
    StoreChallenges challengeStore = new StoreChallenges(commands);
    Domain domain =
        Domain.wire(
            config.accountSid(),
            catalog,
            view,
            gateway,
            new FactorCrypto(new SecretCipher(config.secretKey(), config.previousSecretKeys())),
            clock,
            config.verifyTimeout(),
            commands,
            config.commandTimeout(),
            config.attemptSigner(),
            config.secretKey(),
            verifications,
            misses,
            new KafkaWebhookLog(producer, topics.webhooks()),
            webhookTable,
            challengeStore);
    HttpApi.Settings settings =
        new HttpApi.Settings(
            config.accountSid(),
            config.authToken(),
            config.publicBaseUrl().orElse(null),
            clock,
            config.apiKeys());

    // The internal listener binds before the entity tasks start, so its real port (0 in tests) is
    // the application.server the other instances route to (docs/decisions/0009). Until this
    // instance has caught up it owns nothing and answers every forward 421.
    String instanceId = newInstanceId();
    AtomicReference<Owner.Lookup> owners = new AtomicReference<>(key -> Owner.UNKNOWN);
    AtomicReference<String> publicBase = new AtomicReference<>();
    // Known once the internal listener is bound (its port may be 0); until then forwards are
    // refused.
    AtomicReference<String> internalAddress = new AtomicReference<>();
    InternalAuth internalAuth = new InternalAuth(config.clusterKey(), clock, internalAddress::get);
    HttpApi internal =
        HttpApi.create(
                domain,
                settings,
                metrics,
                () -> true,
                new HttpApi.Cluster(
                    instanceId,
                    OwnerRouter.ownerOnly(key -> owners.get().ownerOf(key)),
                    internalAuth,
                    publicBase::get))
            .start(config.internalHost(), config.internalPort());
    resources.add(0, internal::stop);
    String advertised =
        config.internalAdvertised().orElse(config.internalHost() + ":" + internal.port());
    internalAddress.set(advertised);
    // The single writer of entities and factors (docs/decisions/0008): it joins its group and
    // restores its stores while the followers read the state back.
    EntityStreams entityTasks =
        EntityStreams.start(config, decisions, HostInfo.buildFromEndpoint(advertised));
    resources.add(0, entityTasks);
    challengeStore.attach(entityTasks);

    state.awaitCaughtUp(config.startupTimeout());
    events.awaitCaughtUp(config.startupTimeout());
    replies.awaitCaughtUp(config.startupTimeout());
    entityTasks.awaitRunning(config.startupTimeout());
    LOG.info(
        "State restored: {} services, {} entities, {} factors, {} challenges",
        catalog.services().size(),
        catalog.entities().size(),
        catalog.factors().size(),
        view.size());

    ScheduledExecutorService sweeper = daemonTimer("lapse-retention");
    sweeper.scheduleWithFixedDelay(
        () -> view.evictBefore(clock.instant().minus(config.challengeRetention())),
        1,
        1,
        TimeUnit.MINUTES);
    resources.add(0, sweeper::shutdownNow);

    registerWaitMetrics(metrics, verifications, domain, misses, catchUp);
    registerChallengeReadMetrics(metrics, domain);
    // After the followers caught up: the webhooks, the view and the catalog it reads are current.
    WebhookDelivery webhooks =
        config.webhooksEnabled()
            ? WebhookDelivery.start(
                kafka,
                config.webhookSettings(),
                config.accountSid(),
                config.authToken(),
                config.webhookTimeout(),
                domain.webhooks(),
                view,
                catalog)
            : null;
    if (webhooks != null) {
      resources.add(0, webhooks);
      registerWebhookMetrics(metrics, webhooks);
    }
    Gauge.builder("lapse.challenges.viewed", view, ChallengeView::size).register(metrics);
    Gauge.builder("lapse.verifications.waiting", gateway, KafkaAttemptGateway::waiting)
        .register(metrics);
    Gauge.builder("lapse.commands.waiting", commands, KafkaCommandBus::waiting).register(metrics);
    Gauge.builder("lapse.follower.undecodable", events, Follower::undecodableRecords)
        .tag("follower", "challenges")
        .register(metrics);
    Gauge.builder("lapse.follower.undecodable", state, Follower::undecodableRecords)
        .tag("follower", "state")
        .register(metrics);
    for (Follower f : List.of(events, state)) {
      Gauge.builder("lapse.follower.retries", f, Follower::retriedReads)
          .description("Reads retried because the schema registry could not answer")
          .tag("follower", f == events ? "challenges" : "state")
          .register(metrics);
    }
    ScheduledExecutorService routeTimer = daemonTimer("lapse-route-wait");
    resources.add(0, routeTimer::shutdownNow);
    ExecutorService forwardPool = daemonPool(ANSWER_THREADS, "lapse-forwards");
    resources.add(0, forwardPool::shutdownNow);
    WaitingLimit forwards = new WaitingLimit("forwards", config.maxInflightForwards());
    Gauge.builder("lapse.requests.waiting", forwards, WaitingLimit::waiting)
        .tag("for", "owner")
        .register(metrics);
    OwnerRouter router =
        OwnerRouter.forwarding(
            entityTasks.owners(),
            new OwnerRouter.Forwarding(
                new Forwarder(internalAuth, instanceId, forwardTimeout(config), forwardPool),
                forwards,
                config.routeWait(),
                advertised,
                routeTimer,
                metrics));
    HttpApi http =
        HttpApi.create(
                domain,
                settings,
                metrics,
                () ->
                    state.healthy()
                        && events.healthy()
                        && replies.healthy()
                        && entityTasks.healthy()
                        && (webhooks == null || webhooks.healthy()),
                new HttpApi.Cluster(instanceId, router, null, null))
            .start(config.httpHost(), config.httpPort());
    resources.add(0, http::stop);
    String baseUrl =
        config.publicBaseUrl().orElse("http://" + config.httpHost() + ":" + http.port());
    publicBase.set(http.baseUrl());
    // Only now does the internal listener serve what it owns: the view has caught up, and the
    // URLs in its answers are this instance's public ones.
    owners.set(entityTasks.owners());
    // Never the credentials, not even generated ones: whoever starts the service delivers those
    // (Main writes them to a CredentialsFile).
    LOG.info(
        "Challenge service {} ready on {} (internal listener {})", instanceId, baseUrl, advertised);
    return new ChallengeServiceApp(
        resources, http, baseUrl, domain, entityTasks, decisions, webhooks, instanceId, internal);
  }

  /**
   * The bound of one forward: the owner may wait for a decision or a command, then for a catch-up,
   * before it answers.
   */
  private static Duration forwardTimeout(ServiceConfig config) {
    Duration decision =
        config.verifyTimeout().compareTo(config.commandTimeout()) > 0
            ? config.verifyTimeout()
            : config.commandTimeout();
    return decision.plus(config.readSyncTimeout()).plusSeconds(2);
  }

  /** A random id for this run, safe in a header and in {@link InternalAuth}'s. */
  private static String newInstanceId() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return "lapse-" + HexFormat.of().formatHex(b);
  }

  private static ExecutorService daemonPool(int threads, String name) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private static ScheduledExecutorService daemonTimer(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private static void registerWebhookMetrics(
      PrometheusMeterRegistry metrics, WebhookDelivery webhooks) {
    WebhookDispatcher.Counters c = webhooks.counters();
    FunctionCounter.builder("lapse.webhooks.delivered", c, WebhookDispatcher.Counters::delivered)
        .description("Webhook deliveries accepted (2xx)")
        .register(metrics);
    FunctionCounter.builder("lapse.webhooks.retried", c, WebhookDispatcher.Counters::retried)
        .description("Webhook attempts that failed transiently and were tried again")
        .register(metrics);
    FunctionCounter.builder(
            "lapse.webhooks.dead.lettered", c, WebhookDispatcher.Counters::deadLettered)
        .description("Webhook deliveries given up and written to the dead-letter topic")
        .register(metrics);
  }

  /** How often challenge reads still needed the view, and verifications beat their store. */
  private static void registerChallengeReadMetrics(PrometheusMeterRegistry metrics, Domain domain) {
    Challenges reads = domain.challenges();
    FunctionCounter.builder(
            "lapse.challenge.reads.from.view",
            reads,
            r -> r.fromView(Challenges.Fallback.NOT_IN_STORE))
        .description(
            "Challenge reads answered from the in-heap view instead of the owner's store, by why")
        .tag("reason", "not-in-store")
        .register(metrics);
    FunctionCounter.builder(
            "lapse.challenge.reads.from.view",
            reads,
            r -> r.fromView(Challenges.Fallback.STORE_UNAVAILABLE))
        .tag("reason", "store-unavailable")
        .register(metrics);
    FunctionCounter.builder(
            "lapse.verifications.answered.unsettled",
            domain.challengeVerification(),
            ChallengeVerification::answeredUnsettled)
        .description(
            "Approvals and denials answered before the owner's store showed them (settlement late)")
        .register(metrics);
  }

  private static void registerWaitMetrics(
      PrometheusMeterRegistry metrics,
      WaitingLimit verifications,
      Domain domain,
      MissedReads misses,
      LogCatchUp catchUp) {
    WaitingLimit writes = domain.waitingWrites();
    WaitingLimit webhookWrites = domain.webhooks().waiting();
    Gauge.builder("lapse.requests.waiting", verifications, WaitingLimit::waiting)
        .description("Requests waiting without a thread, by what they wait for")
        .tag("for", "decision")
        .register(metrics);
    // Writes (creates, updates, deletes, notifications) waiting for their entity task, under the
    // verifications' cap.
    Gauge.builder("lapse.requests.waiting", writes, WaitingLimit::waiting)
        .tag("for", "write")
        .register(metrics);
    // Webhook writes waiting for the log's acknowledgement, under the same cap.
    Gauge.builder("lapse.requests.waiting", webhookWrites, WaitingLimit::waiting)
        .tag("for", "webhook")
        .register(metrics);
    Gauge.builder("lapse.requests.waiting", misses, MissedReads::waiting)
        .tag("for", "catch-up")
        .register(metrics);
    FunctionCounter.builder("lapse.requests.shed", verifications, WaitingLimit::refused)
        .description("Requests answered 503 / 20503 at once because too many were waiting")
        .tag("for", "decision")
        .register(metrics);
    FunctionCounter.builder("lapse.requests.shed", writes, WaitingLimit::refused)
        .tag("for", "write")
        .register(metrics);
    FunctionCounter.builder("lapse.requests.shed", webhookWrites, WaitingLimit::refused)
        .tag("for", "webhook")
        .register(metrics);
    FunctionCounter.builder("lapse.requests.shed", misses, MissedReads::refused)
        .tag("for", "catch-up")
        .register(metrics);
    FunctionCounter.builder("lapse.reads.synced", misses, MissedReads::synced)
        .description("Reads that found nothing here and caught up with the log before answering")
        .register(metrics);
    FunctionCounter.builder("lapse.reads.found.after.sync", misses, MissedReads::foundAfterSync)
        .description("Reads that found their resource only after catching up")
        .register(metrics);
    FunctionCounter.builder("lapse.reads.sync.timeouts", catchUp, LogCatchUp::timedOut)
        .description("Catch-ups that ran into LAPSE_READ_SYNC_TIMEOUT_MS")
        .register(metrics);
  }

  /**
   * Creates the topics this service writes (and the challenge topics it reads, and their
   * dead-letter topics), idempotently.
   */
  private static void provision(KafkaConnection kafka) {
    try (Admin admin = Admin.create(kafka.clientProps())) {
      TopicProvisioner provisioner = new TopicProvisioner(kafka);
      TopicNames names = kafka.topicNames();
      provisioner.ensureChallengeTopics(admin, names.challengeTopics());
      // The processor refuses to run without it; here a failure is only logged, because the
      // service itself does not rely on broker timestamps.
      provisioner.ensureResponsesDatedByBroker(admin);
      provisioner.ensureStateTopics(admin, names.stateTopics());
      // The followers and the entity tasks dead-letter what they cannot read to <topic>-dlq.
      // Not challenge-responses: the service never reads it, the processor dead-letters it.
      List<String> followed = new ArrayList<>(names.challengeTopics());
      followed.remove(names.challengeResponses());
      followed.addAll(names.stateTopics());
      followed.add(names.commands());
      provisioner.ensureDeadLetterTopics(admin, followed);
      provisioner.ensureCommandTopics(admin, names.commands(), names.replies());
      // Written by the entity tasks, read by the webhook dispatchers (docs/decisions/0018).
      provisioner.ensureEventTopics(admin, List.of(names.factorEvents()));
      provisioner.ensureDeadLetterTopicsNamed(admin, List.of(names.webhookDeliveriesDlq()));
    }
  }

  /** This run's id, named in every answer's {@code Lapse-Served-By} header. */
  public String instanceId() {
    return instanceId;
  }

  /** The bound port of the internal listener, where other instances forward requests. */
  public int internalPort() {
    return internal.port();
  }

  /** The bound HTTP port. */
  public int port() {
    return http.port();
  }

  /** The API's base URL (the public one if configured). */
  public String baseUrl() {
    return baseUrl;
  }

  /** The wired domain (for diagnostics and tests). */
  public Domain domain() {
    return domain;
  }

  /** The entity tasks (their stores answer interactive queries, docs/decisions/0009). */
  public EntityStreams entityTasks() {
    return entityTasks;
  }

  /** The state of this instance's entity tasks' Streams client. */
  public KafkaStreams.State entityTasksState() {
    return entityTasks.state();
  }

  /** What this instance's entity tasks decided since it started (for diagnostics and tests). */
  public EntityDecisionCounts entityDecisions() {
    return decisions;
  }

  /** This instance's webhook delivery; null when {@code LAPSE_WEBHOOKS_ENABLED=false}. */
  public WebhookDelivery webhooks() {
    return webhooks;
  }

  @Override
  public void close() {
    closeAll(resources);
    LOG.info("Challenge service stopped");
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("Error while stopping", e);
      }
    }
    resources.clear();
  }
}
