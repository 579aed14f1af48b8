// Plate data: searches, one read and its images, each with a purpose and a case number,
// through the governance layer (logged).
#include "server/routes/routes.h"

#include <charconv>
#include <cstdio>
#include <string>

#include "custodian/policy/governed_ops.h"
#include "custodian/store/read_json.h"

namespace custodian::server::internal {
namespace {

Result<policy::AccessPurpose> PurposeOf(const Ctx& c) {
  return policy::AccessPurpose{c.Param("purpose"), c.Param("case")};
}

Result<store::SearchQuery> SearchOf(const Ctx& c) {
  store::SearchQuery q;
  const std::string match = c.Param("match").empty() ? "exact" : c.Param("match");
  auto m = store::ParsePlateMatch(match);
  if (!m.ok() || *m == store::PlateMatch::kAny) return Status::InvalidArgument("match is exact, wildcard or fuzzy");
  q.match = *m;
  q.plate = c.Param("plate");
  if (q.plate.empty()) q.match = store::PlateMatch::kAny;
  if (c.Param("edits") == "1") q.extra_edits = 1;
  CUSTODIAN_ASSIGN_OR_RETURN(q.from, OptTime(c.Param("from")));
  CUSTODIAN_ASSIGN_OR_RETURN(q.to, OptTime(c.Param("to")));
  q.camera_ids = c.Params("camera");
  if (!c.Param("class").empty()) {
    CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass dc, store::ParseDataClass(c.Param("class")));
    q.data_class = dc;
  }
  if (!c.Param("area").empty()) {
    double v[4];
    if (std::sscanf(c.Param("area").c_str(), "%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3]) != 4) {
      return Status::InvalidArgument("area is min_lat,min_lon,max_lat,max_lon");
    }
    q.area = store::GeoBox{v[0], v[1], v[2], v[3]};
  }
  if (!c.Param("limit").empty()) {
    int n = 0;
    auto s = c.Param("limit");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size()) return Status::InvalidArgument("limit is a number");
    q.limit = n;
  }
  q.cursor = c.Param("cursor");
  return q;
}

}  // namespace

void RegisterReadsRoutes(ServerContext& ctx) {
  ctx.Add("GET", "/api/v1/reads", "user", policy::ops::kSearchReads, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto q, SearchOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, policy::SearchReads(ctx.gov, c.who, why, q));
    ++ctx.metrics.searches;
    json reads = json::array();
    for (const auto& r : page.reads) reads.push_back(store::ReadToJson(r));
    return Reply(c, {{"reads", reads}, {"next_cursor", page.next_cursor}});
  });
  ctx.Add("GET", "/api/v1/reads/{id}", "user", policy::ops::kSearchReads, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    CUSTODIAN_ASSIGN_OR_RETURN(auto r, policy::GetRead(ctx.gov, c.who, why, id));
    return Reply(c, store::ReadToJson(r));
  });
  ctx.Add("GET", "/api/v1/reads/{id}/image", "user", policy::ops::kViewImages, [&ctx](Ctx& c) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, c.PathId());
    CUSTODIAN_ASSIGN_OR_RETURN(auto why, PurposeOf(c));
    const std::string kind = c.Param("kind");
    if (!kind.empty() && kind != "crop" && kind != "frame") return Status::InvalidArgument("kind is crop or frame");
    CUSTODIAN_ASSIGN_OR_RETURN(auto bytes, policy::GetReadImage(ctx.gov, c.who, why, id, kind == "frame"));
    const bool png = bytes.size() > 4 && bytes[0] == 0x89 && bytes[1] == 'P';
    c.res.set_content(std::string(bytes.begin(), bytes.end()), png ? "image/png" : "image/jpeg");
    return Status::Ok();
  });
}

}  // namespace custodian::server::internal
