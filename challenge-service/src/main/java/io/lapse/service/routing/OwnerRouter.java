package io.lapse.service.routing;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.lapse.contract.TwilioError;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.WaitingLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs every request about an entity on the instance that owns the entity's key (the active task of
 * its {@code lapse-commands} partition, docs/decisions/0009): locally when that is this instance,
 * otherwise forwarded ({@link Forwarder}) to the owner's internal listener, whose answer goes back
 * verbatim.
 *
 * <p>Two kinds: the public listener's router forwards; the internal listener's ({@link #ownerOnly})
 * never does (the loop guard): when it does not own the entity it answers {@code 421} with {@value
 * #NOT_OWNER}, and the forwarding side refreshes its metadata and tries once more, then answers 503
 * / 20503 with {@code Retry-After: 1}. While no instance owns the partition (a rebalance), the
 * forwarding side asks again every {@link #POLL} up to the route wait, without a thread (a timer),
 * then answers the same 503.
 */
public final class OwnerRouter {
  /** Header of a {@code 421}: "I do not own this entity". */
  public static final String NOT_OWNER = "Lapse-Not-Owner";

  /** Header naming the instance that answered (its instance id). */
  public static final String SERVED_BY = "Lapse-Served-By";

  static final Duration POLL = Duration.ofMillis(50);

  /** The settings and parts of a forwarding router. */
  public record Forwarding(
      Forwarder forwarder,
      WaitingLimit limit,
      Duration routeWait,
      String selfAddress,
      ScheduledExecutorService timer,
      MeterRegistry metrics) {}

  private final Owner.Lookup owners;
  private final Forwarding forwarding;

  private OwnerRouter(Owner.Lookup owners, Forwarding forwarding) {
    this.owners = owners;
    this.forwarding = forwarding;
  }

  /** The public listener's router: forwards what another instance owns. */
  public static OwnerRouter forwarding(Owner.Lookup owners, Forwarding forwarding) {
    return new OwnerRouter(owners, forwarding);
  }

  /** The internal listener's router: serves what it owns, answers 421 otherwise. */
  public static OwnerRouter ownerOnly(Owner.Lookup owners) {
    return new OwnerRouter(owners, null);
  }

  /**
   * The route {@code local} run on the owner of the entity {@code keyOf} names; a request whose key
   * cannot be told (a create without {@code Identity}) runs here, where it is refused.
   */
  public Handler route(Function<Context, Optional<String>> keyOf, Handler local) {
    return ctx -> {
      Optional<String> key = keyOf.apply(ctx);
      if (key.isEmpty()) {
        local.handle(ctx);
        return;
      }
      Owner owner = owners.ownerOf(key.get());
      if (owner instanceof Owner.Local) {
        local.handle(ctx);
      } else if (forwarding == null) {
        notOwner(ctx);
      } else {
        forward(ctx, key.get(), owner, local);
      }
    };
  }

  private void forward(Context ctx, String key, Owner owner, Handler local) throws Exception {
    Forwarder.Request request = Forwarder.Request.of(ctx);
    if (!Forwarder.canCarry(request)) {
      // A path the JDK client cannot send names no valid entity: refused here as it would be there.
      local.handle(ctx);
      return;
    }
    CompletableFuture<Forwarder.Answer> answer;
    try {
      answer = forwarding.limit().admit(() -> forward(request, key, owner, true));
    } catch (ApiError e) {
      count("shed");
      throw e;
    }
    ctx.future(() -> answer.thenAccept(a -> write(ctx, a)));
  }

  private CompletableFuture<Forwarder.Answer> forward(
      Forwarder.Request request, String key, Owner owner, boolean mayRetry) {
    return addressOf(key, owner)
        .thenCompose(
            address ->
                forwarding
                    .forwarder()
                    .send(address, request)
                    .exceptionally(
                        e -> {
                          count("failed");
                          throw ApiError.ownerUnavailable();
                        }))
        .thenCompose(
            a -> {
              if (!a.notOwner()) {
                count("answered");
                return CompletableFuture.completedFuture(a);
              }
              if (!mayRetry) {
                count("unavailable");
                throw ApiError.ownerUnavailable();
              }
              count("retried");
              return forward(request, key, owners.ownerOf(key), false);
            });
  }

  /** The owner's internal address, waited for while nobody owns the key. */
  private CompletableFuture<String> addressOf(String key, Owner owner) {
    if (owner instanceof Owner.Remote r) {
      return CompletableFuture.completedFuture(r.address());
    }
    CompletableFuture<String> address = new CompletableFuture<>();
    long start = System.nanoTime();
    poll(key, address, start + forwarding.routeWait().toNanos());
    return address.whenComplete(
        (a, e) ->
            Timer.builder("lapse.route.wait")
                .description(
                    "How long requests waited for their entity's partition to have an owner")
                .register(forwarding.metrics())
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private void poll(String key, CompletableFuture<String> address, long deadline) {
    Owner owner = owners.ownerOf(key);
    if (owner instanceof Owner.Remote r) {
      address.complete(r.address());
    } else if (owner instanceof Owner.Local) {
      // Became ours while waiting: through our own internal listener, which serves it here.
      address.complete(forwarding.selfAddress());
    } else if (System.nanoTime() - deadline >= 0) {
      count("unavailable");
      address.completeExceptionally(new CompletionException(ApiError.ownerUnavailable()));
    } else {
      forwarding
          .timer()
          .schedule(() -> poll(key, address, deadline), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static void write(Context ctx, Forwarder.Answer a) {
    ctx.status(a.status());
    for (Map.Entry<String, List<String>> h : a.endToEndHeaders().entrySet()) {
      List<String> values = h.getValue();
      for (int i = 0; i < values.size(); i++) {
        if (i == 0) {
          ctx.res().setHeader(h.getKey(), values.get(i));
        } else {
          ctx.res().addHeader(h.getKey(), values.get(i));
        }
      }
    }
    ctx.result(a.body());
  }

  /** 421 in Twilio's shape: never seen by a client, the forwarding instance acts on it. */
  private static void notOwner(Context ctx) {
    var body = Json.object();
    body.put("code", TwilioError.SERVICE_UNAVAILABLE.code());
    body.put("message", "This instance does not serve this entity now");
    body.put("more_info", TwilioError.SERVICE_UNAVAILABLE.moreInfo());
    body.put("status", 421);
    ctx.header(NOT_OWNER, "true");
    ctx.status(421).contentType("application/json").result(Json.write(body));
  }

  private void count(String result) {
    Counter.builder("lapse.forwards")
        .description("Requests forwarded to the owner of their entity, by how they ended")
        .tag("result", result)
        .register(forwarding.metrics())
        .increment();
  }
}
