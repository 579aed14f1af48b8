// Hotlists and the import of their entries.
#include "server/routes/routes.h"

#include <chrono>
#include <string>

#include "custodian/policy/governed_ops.h"
#include "custodian/policy/hotlist_import.h"

namespace custodian::server::internal {

void RegisterHotlistsRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/hotlists", "user", policy::ops::kViewHotlists, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto lists, policy::ListHotlists(ctx.gov, c.who));
    json out = json::array();
    for (const auto& h : lists) {
      out.push_back({{"id", h.id}, {"name", h.name}, {"agency_code", h.agency_code},
                     {"category", std::string(store::HotlistCategoryName(h.category))}, {"fuzzy", h.fuzzy},
                     {"entries", h.entries}});
    }
    return Reply(c, {{"hotlists", out}});
  });
  ctx.Add("POST", "/api/v1/hotlists", "user", policy::ops::kManageHotlists, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(json b, c.Body());
    store::HotlistSpec spec;
    CUSTODIAN_ASSIGN_OR_RETURN(spec.name, Str(b, "name", true, 128));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.agency_code, Str(b, "agency_code", false, 128));
    if (spec.agency_code.empty()) spec.agency_code = c.who.agency_code;
    CUSTODIAN_ASSIGN_OR_RETURN(std::string cat, Str(b, "category", true, 64));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.category, store::ParseHotlistCategory(cat));
    CUSTODIAN_ASSIGN_OR_RETURN(spec.fuzzy, Bool(b, "fuzzy"));
    CUSTODIAN_ASSIGN_OR_RETURN(auto h, policy::PutHotlist(ctx.gov, c.who, spec));
    return Reply(c, {{"id", h.id}, {"name", h.name}}, 201);
  });
  ctx.Add("POST", "/api/v1/hotlists/{name}/entries", "user", policy::ops::kManageHotlists, [&ctx](Ctx& c) -> Status {
    const std::string list = c.PathString();
    const std::string format = c.Param("format").empty() ? "csv" : c.Param("format");
    if (format != "csv" && format != "svs") return Status::InvalidArgument("format is csv or svs");
    policy::ParsedHotlist parsed = format == "csv" ? policy::ParseHotlistCsv(c.req.body) : policy::ParseHotlistSvs(c.req.body);
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::ImportHotlistEntries(ctx.gov, c.who, list, parsed.entries,
                                                                    std::chrono::hours(72)));
    json errors = json::array();
    for (const auto& e : parsed.errors) errors.push_back({{"line", e.line}, {"message", e.message}});
    if (r.retro_alerts) ctx.streams.AlertsChanged();
    return Reply(c, {{"added", r.added}, {"updated", r.updated}, {"retro_alerts", r.retro_alerts}, {"errors", errors}});
  });
}

}  // namespace custodian::server::internal
