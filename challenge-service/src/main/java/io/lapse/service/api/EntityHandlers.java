package io.lapse.service.api;

import io.javalin.http.Context;
import io.lapse.service.domain.Entities;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.SortKey;
import java.util.Map;

/** {@code …/Entities[/{Identity}]}. */
final class EntityHandlers {
  private final Entities entities;
  private final Representations json;
  private final WaitedAnswers waited;

  EntityHandlers(Entities entities, Representations json, WaitedAnswers waited) {
    this.entities = entities;
    this.json = json;
    this.waited = waited;
  }

  void create(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = Form.body(ctx).opt("Identity").orElse(null);
    waited.answer(
        ctx,
        () -> entities.create(serviceSid, identity),
        e -> Responses.json(ctx, 201, json.entity(e)));
  }

  void fetch(Context ctx) {
    Responses.json(
        ctx,
        200,
        json.entity(entities.get(ctx.pathParam("serviceSid"), ctx.pathParam("identity"))));
  }

  void list(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    PageRequest request = Responses.pageRequest(Form.query(ctx));
    Responses.json(
        ctx,
        200,
        PageEnvelope.render(
            "entities",
            json.urls().entities(serviceSid),
            Map.of(),
            request,
            entities.list(serviceSid, request),
            json::entity,
            e -> SortKey.of(e.getCreatedAt(), e.getSid())));
  }

  void delete(Context ctx) {
    String serviceSid = ctx.pathParam("serviceSid");
    String identity = ctx.pathParam("identity");
    waited.answer(ctx, () -> entities.delete(serviceSid, identity), v -> ctx.status(204));
  }
}
