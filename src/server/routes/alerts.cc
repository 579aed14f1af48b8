// Hotlist alerts: the list, the live stream (Server-Sent Events) and their review.
#include "server/routes/routes.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "custodian/policy/governed_ops.h"
#include "server/alert_json.h"

namespace custodian::server::internal {

void RegisterAlertsRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/alerts", "user", policy::ops::kViewAlerts, [&ctx](Ctx& c) -> Status {
    store::AlertQuery q;
    q.unreviewed_only = c.Param("unreviewed") == "1" || c.Param("unreviewed") == "true";
    if (!c.Param("state").empty()) {
      CUSTODIAN_ASSIGN_OR_RETURN(store::AlertState s, store::ParseAlertState(c.Param("state")));
      q.state = s;
    }
    if (!c.Param("after").empty()) q.after_id = std::atoll(c.Param("after").c_str());
    CUSTODIAN_ASSIGN_OR_RETURN(auto alerts, policy::ListAlerts(ctx.gov, c.who, q));
    return Reply(c, {{"alerts", JsonArray(alerts, AlertJson)}});
  });
  ctx.Add("GET", "/api/v1/alerts/stream", "user", policy::ops::kViewAlerts, [&ctx](Ctx& c) -> Status {
    // The opening is one logged listing (its alerts' ids and plates); after that the
    // stream wakes on a new alert, a logout or every stream_wake, re-checks the session
    // (closing when it has ended: logout, separation, role or gate change, idle, lifetime)
    // and logs only the alerts it actually sends.
    auto st = std::make_shared<StreamState>();
    st->token = c.token;
    st->source = SourceOf(c.req);
    st->user_id = c.who.user_id;
    const AlertStreams::Admission admission = ctx.streams.Open(c.who.user_id, &st->gen);
    if (admission != AlertStreams::Admission::kOpened) {
      c.res.set_header("Retry-After", "30");
      return Reply(c,
                   {{"error",
                     {{"code", "too_many_streams"},
                      {"message", admission == AlertStreams::Admission::kServerFull
                                      ? "the server has as many live alert streams open as it allows; try again later"
                                      : "you have as many live alert streams open as allowed; close a tab"}}}},
                   429);
    }
    auto release = [&ctx, user = c.who.user_id] { ctx.streams.Close(user); };
    store::AlertQuery q;
    auto after = ParseId(c.Param("after"), "after");
    if (!after.ok()) {
      release();
      return after.status();
    }
    q.after_id = *after;
    q.unreviewed_only = true;
    auto first = policy::ListAlerts(ctx.gov, c.who, q);
    if (!first.ok()) {
      release();
      return first.status();
    }
    st->last_id = q.after_id;
    for (const auto& a : *first) st->last_id = std::max(st->last_id, a.id);
    st->initial = std::move(*first);
    if (st->initial.size() < size_t(q.limit)) st->last_id = std::max(st->last_id, ctx.streams.newest());
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_header("X-Accel-Buffering", "no");
    ++ctx.metrics.streams_open;
    c.res.set_chunked_content_provider(
        "text/event-stream",
        [&ctx, st](size_t, httplib::DataSink& sink) -> bool { return ctx.streams.Step(*st, sink); },
        [&ctx, release](bool) {
          --ctx.metrics.streams_open;
          release();
        });
    return Status::Ok();
  });
  ctx.Add("POST", "/api/v1/alerts/{id}/acknowledge", "user", policy::ops::kReviewAlerts, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::AcknowledgeAlert(ctx.gov, c.who, id));
    return Reply(c, AlertJson(a));
  });
  ctx.Add("POST", "/api/v1/alerts/{id}/confirm", "user", policy::ops::kReviewAlerts, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string action, Str(b, "action", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(bool image_checked, Bool(b, "image_checked"));
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::ConfirmAlert(ctx.gov, c.who, id, image_checked, action));
    return Reply(c, AlertJson(a));
  });
  ctx.Add("POST", "/api/v1/alerts/{id}/dismiss", "user", policy::ops::kReviewAlerts, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    CUSTODIAN_ASSIGN_OR_RETURN(std::string note, Str(b, "note", true, 256));
    CUSTODIAN_ASSIGN_OR_RETURN(auto a, policy::DismissAlert(ctx.gov, c.who, id, note));
    return Reply(c, AlertJson(a));
  });
}

}  // namespace custodian::server::internal
