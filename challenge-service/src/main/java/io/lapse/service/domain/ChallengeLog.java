package io.lapse.service.domain;

import io.lapse.events.v1.ChallengeCreated;
import io.lapse.events.v1.NotificationRequested;

/**
 * Where challenge events are published (challenge-created and challenge-notifications in
 * production). Each call returns once the event is durable (acks=all, idempotent producer), and
 * throws if it could not be written.
 */
public interface ChallengeLog {
  void publishCreated(ChallengeCreated event);

  void publishNotification(NotificationRequested event);
}
