// Public routes (no logon): liveness, metrics, the system-use notice and the transparency
// figures. None of them answers plate data.
#include "server/routes/routes.h"

#include <sodium.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "custodian/policy/access_log.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/governed_ops.h"

namespace custodian::server::internal {

void RegisterPublicRoutes(ServerContext& ctx) {
  // The transparency figures, computed at most every ServerOptions::transparency_cache.
  struct TransparencyCache {
    std::mutex mu;
    std::optional<std::pair<std::chrono::steady_clock::time_point, json>> figures;
  };
  auto transparency = std::make_shared<TransparencyCache>();
  ctx.Add("GET", "/healthz", "public", "", [&ctx](Ctx& c) -> Status {
    auto v = policy::CheckDatabase(ctx.gov);
    if (!v.ok()) return Status::Unavailable("the database is unreachable");
    return Reply(c, {{"status", "ok"}, {"schema_version", *v}});
  });
  ctx.Add("GET", "/metrics", "public", "", [&ctx](Ctx& c) -> Status {
    // Served to loopback (a local Prometheus or agent), or with the metrics token.
    const std::string& from = c.req.remote_addr;
    const bool loopback = from == "127.0.0.1" || from == "::1" || from.rfind("::ffff:127.", 0) == 0;
    if (!loopback) {
      const std::string h = c.req.get_header_value("Authorization");
      const std::string want = "Bearer " + ctx.options.metrics_token;
      if (ctx.options.metrics_token.empty() || h.size() != want.size() ||
          sodium_memcmp(h.data(), want.data(), want.size()) != 0) {
        return Status::PermissionDenied("metrics are served to loopback or with the metrics token");
      }
    }
    c.res.set_content(ctx.metrics.Render(), "text/plain; version=0.0.4");
    return Status::Ok();
  });
  ctx.Add("GET", "/api/v1/notice", "public", "", [&ctx](Ctx& c) -> Status {
    json statements = json::array();
    for (const char* s : policy::kAcknowledgmentStatements) statements.push_back(s);
    return Reply(c, {{"system_use_notice", ctx.gov.system_use_notice()}, {"acknowledgment_statements", statements}});
  });
  ctx.Add("GET", "/api/v1/transparency", "public", "", [&ctx, transparency](Ctx& c) -> Status {
    std::lock_guard lock(transparency->mu);
    const auto now = std::chrono::steady_clock::now();
    if (!transparency->figures || now - transparency->figures->first > ctx.options.transparency_cache) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto f, policy::ComputeTransparency(ctx.gov));
      json purposes = json::object();
      for (const auto& [p, n] : f.searches_by_purpose) purposes[p.empty() ? "(none)" : p] = n;
      json j = {{"cameras", {{"total", f.cameras}, {"public_safety", f.cameras_public_safety},
                             {"non_public_safety", f.cameras_non_public_safety}}},
                {"reads", {{"stored", f.reads}, {"last_30_days", f.reads_last_30_days}}},
                {"hotlist_hits", {{"total", f.hotlist_hits}, {"confirmed", f.hits_confirmed},
                                  {"dismissed_as_misread", f.hits_dismissed_misread}}},
                {"searches_last_365_days", {{"by_purpose", purposes}, {"refused", f.searches_denied}}},
                {"sharing", {{"grants_in_force", f.sharing_grants_in_force}, {"agencies", f.agencies_shared_with}}},
                {"purge_runs", f.purges},
                {"retention", {{"minimum_days", 90}, {"maximum_days", 730}}},
                // Cached with the figures: a head at most transparency_cache old.
                {"access_log_head", f.access_log_head ? json::parse(policy::SignedHeadJson(*f.access_log_head))
                                                      : json(nullptr)}};
      transparency->figures = {now, j};
    }
    return Reply(c, transparency->figures->second);
  });
}

}  // namespace custodian::server::internal
