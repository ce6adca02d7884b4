package io.lapse.service.domain;

import java.util.Optional;

/**
 * A list request's paging: {@code Page} (the page number, client state that Twilio echoes), {@code
 * PageSize} (1–1000) and an optional {@code PageToken} that pins where the page starts or ends.
 */
public record PageRequest(int page, int pageSize, Optional<PageToken> token) {
  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 1000;

  public PageRequest {
    if (page < 0) {
      throw ApiError.invalidParam("Page", "must be 0 or more");
    }
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw ApiError.invalidParam("PageSize", "must be between 1 and " + MAX_PAGE_SIZE);
    }
  }

  public static PageRequest first(int pageSize) {
    return new PageRequest(0, pageSize, Optional.empty());
  }
}
