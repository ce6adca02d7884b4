package io.lapse.service.domain;

import io.lapse.state.v1.WebhookSnapshot;
import java.time.Clock;
import java.time.Duration;

/**
 * The domain, wired from its ports: the same wiring serves production (Kafka adapters) and unit
 * tests (in-memory fakes).
 *
 * @param waitingVerifications the cap on verifications waiting for the expiry processor
 * @param waitingWrites the writes waiting for their entity task, under the same cap
 * @param misses how a read that finds nothing here catches up with the log before a 404
 * @param webhooks the services' webhooks (their own log and table: docs/decisions/0018-webhooks.md)
 */
public record Domain(
    Services services,
    Entities entities,
    Factors factors,
    Challenges challenges,
    ChallengeCreation challengeCreation,
    ChallengeVerification challengeVerification,
    Notifications notifications,
    Catalog catalog,
    ChallengeView view,
    AccessTokens accessTokens,
    WaitingLimit waitingVerifications,
    WaitingLimit waitingWrites,
    MissedReads misses,
    Webhooks webhooks) {

  /**
   * Wires the domain; {@code store} is the owner's challenge store (challenge reads come from it,
   * and a verification answers once it shows the decision: docs/decisions/0009), {@link
   * ChallengeStore#NONE} where there is none.
   */
  public static Domain wire(
      String accountSid,
      Catalog catalog,
      ChallengeView view,
      AttemptGateway gateway,
      FactorCrypto crypto,
      Clock clock,
      Duration verifyTimeout,
      CommandBus commands,
      Duration commandTimeout,
      AttemptSigner signer,
      byte[] secretKey,
      WaitingLimit waitingVerifications,
      MissedReads misses,
      WebhookLog webhookLog,
      SnapshotTable<WebhookSnapshot> webhookTable,
      ChallengeStore store) {
    // One cap for every request of this instance waiting for a decision (0009).
    WaitingLimit waitingWrites = waitingVerifications.share("requests");
    EntityWriter entityWriter = new EntityWriter(catalog, commands, commandTimeout, waitingWrites);
    Entities entities = new Entities(entityWriter, clock);
    Challenges challenges = new Challenges(catalog, view, store, clock);
    ResponseChecker checker = new ResponseChecker(crypto, catalog);
    ArbiterClient arbiter = new ArbiterClient(gateway, view, verifyTimeout, signer, store);
    Webhooks webhooks =
        new Webhooks(
            catalog,
            webhookTable,
            webhookLog,
            accountSid,
            clock,
            waitingVerifications.share("requests"),
            misses.executor());
    return new Domain(
        new Services(entityWriter, entities, webhooks, accountSid, clock),
        entities,
        new Factors(entityWriter, crypto, signer, clock),
        challenges,
        new ChallengeCreation(catalog, view, entityWriter, checker, arbiter, clock),
        new ChallengeVerification(
            challenges,
            catalog,
            checker,
            arbiter,
            entityWriter,
            clock,
            waitingVerifications,
            misses),
        new Notifications(catalog, view, challenges, entityWriter, clock),
        catalog,
        view,
        new AccessTokens(catalog, accountSid, secretKey, clock),
        waitingVerifications,
        waitingWrites,
        misses,
        webhooks);
  }
}
