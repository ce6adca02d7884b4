package io.lapse.service.api;

import io.javalin.http.Handler;
import io.lapse.service.domain.ApiError;
import io.lapse.service.domain.MissedReads;

/**
 * Read-your-writes across instances for GETs: a GET that answers 404 from this instance's read
 * model is run once more after the instance caught up with the log ({@link MissedReads}), without
 * holding the request thread meanwhile; only a second miss is answered 404. A GET has no side
 * effect, so running it twice is safe.
 */
final class SyncOnMiss {
  private SyncOnMiss() {}

  static Handler wrap(Handler read, MissedReads misses) {
    return ctx -> {
      try {
        read.handle(ctx);
      } catch (ApiError e) {
        if (!MissedReads.isMiss(e)) {
          throw e;
        }
        ctx.future(
            () ->
                misses.afterCatchUp(
                    () -> {
                      read.handle(ctx);
                      return null;
                    }));
      }
    };
  }
}
