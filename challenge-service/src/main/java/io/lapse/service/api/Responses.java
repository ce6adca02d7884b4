package io.lapse.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.PageToken;
import java.util.Optional;

/** Writing JSON answers, and reading the paging parameters every list shares. */
final class Responses {
  static final String JSON = "application/json";

  private Responses() {}

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType(JSON).result(Json.write(body));
  }

  static PageRequest pageRequest(Form query) {
    int size =
        query
            .optInt("PageSize", 1, PageRequest.MAX_PAGE_SIZE)
            .orElse(PageRequest.DEFAULT_PAGE_SIZE);
    int page = query.optInt("Page", 0, Integer.MAX_VALUE).orElse(0);
    Optional<PageToken> token = query.opt("PageToken").map(PageToken::decode);
    return new PageRequest(page, size, token);
  }
}
