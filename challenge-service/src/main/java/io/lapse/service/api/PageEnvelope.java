package io.lapse.service.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lapse.service.domain.Json;
import io.lapse.service.domain.PageRequest;
import io.lapse.service.domain.PageToken;
import io.lapse.service.domain.Pager;
import io.lapse.service.domain.SortKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Twilio's list envelope as the SDKs parse it: the record key (present even when empty) and a
 * {@code meta} with all seven keys; absolute URLs carrying the filters, {@code PageSize}, {@code
 * Page} and a {@code PageToken}. No top-level {@code uri} (it would select twilio-java's legacy
 * parser).
 */
final class PageEnvelope {
  private PageEnvelope() {}

  /**
   * @param listUrl the list's absolute URL without query
   * @param filters the list's filter parameters, in the order they appear in URLs
   * @param sortKey an item's position, for the page tokens
   */
  static <T> ObjectNode render(
      String key,
      String listUrl,
      Map<String, String> filters,
      PageRequest request,
      Pager.Page<T> page,
      Function<T, ObjectNode> render,
      Function<T, SortKey> sortKey) {
    ObjectNode n = Json.object();
    ArrayNode items = n.putArray(key);
    page.items().forEach(i -> items.add(render.apply(i)));
    ObjectNode meta = n.putObject("meta");
    meta.put("page", request.page());
    meta.put("page_size", request.pageSize());
    meta.put("first_page_url", url(listUrl, filters, request.pageSize(), 0, null));
    List<T> list = page.items();
    if (request.page() > 0 && !list.isEmpty()) {
      PageToken before = new PageToken(false, sortKey.apply(list.get(0)));
      meta.put(
          "previous_page_url",
          url(listUrl, filters, request.pageSize(), request.page() - 1, before.encode()));
    } else {
      meta.putNull("previous_page_url");
    }
    meta.put(
        "url",
        url(
            listUrl,
            filters,
            request.pageSize(),
            request.page(),
            request.token().map(PageToken::encode).orElse(null)));
    if (page.hasNext() && !list.isEmpty()) {
      PageToken after = new PageToken(true, sortKey.apply(list.get(list.size() - 1)));
      meta.put(
          "next_page_url",
          url(listUrl, filters, request.pageSize(), request.page() + 1, after.encode()));
    } else {
      meta.putNull("next_page_url");
    }
    meta.put("key", key);
    return n;
  }

  private static String url(
      String listUrl, Map<String, String> filters, int pageSize, int page, String token) {
    Map<String, String> q = new LinkedHashMap<>(filters);
    q.put("PageSize", Integer.toString(pageSize));
    q.put("Page", Integer.toString(page));
    if (token != null) {
      q.put("PageToken", token);
    }
    StringBuilder sb = new StringBuilder(listUrl);
    char sep = '?';
    for (var e : q.entrySet()) {
      sb.append(sep)
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return sb.toString();
  }
}
