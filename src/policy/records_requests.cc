// Records requests (the policy's electronic data and records request form).
#include "policy/policy_util.h"
#include "custodian/policy/records_requests.h"
#include "custodian/policy/plate_data_actions.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "custodian/policy/access_log.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/store/evidence.h"
#include "custodian/store/read_json.h"

namespace custodian::policy {

namespace fs = std::filesystem;
using json = nlohmann::json;
using store::AsInt;
using store::AsString;
using store::IsNull;
using store::SqlValue;
using store::Txn;

namespace {

using internal::Sha256Hex;

using internal::Clip;
using internal::IsRefusal;
using internal::LogOutcome;
using internal::Outcome;

constexpr int64_t kMsPerDay = 86'400'000;




std::string Number(int64_t id) { return "RR-" + std::to_string(id); }

Result<RequestState> ParseState(const std::string& s) {
  for (auto st : {RequestState::kSubmitted, RequestState::kDirectorApproved, RequestState::kApproved,
                  RequestState::kRefused, RequestState::kFulfilled}) {
    if (RequestStateName(st) == s) return st;
  }
  return Status::Internal("unknown records request state '", s, "'");
}

constexpr const char* kColumns =
    "id, requester, department, phone, email, requested_ms, required_ms, data_class, description, reason, search, "
    "state, submitted_by, director, director_ms, coordinator, coordinator_ms, decision_note, fulfilled_ms, "
    "export_path";

Result<RecordsRequest> Decode(const store::SqlRow& r) {
  RecordsRequest q;
  q.id = AsInt(r[0]);
  q.number = Number(q.id);
  store::ColumnsTo(r, 1, q.form.requester, q.form.department, q.form.phone, q.form.email, q.form.date_requested,
                   q.form.date_required);
  CUSTODIAN_ASSIGN_OR_RETURN(q.form.data_class, store::ParseDataClass(AsString(r[7])));
  store::ColumnsTo(r, 8, q.form.description, q.form.reason);
  CUSTODIAN_ASSIGN_OR_RETURN(q.form.search, SearchQueryFromJson(AsString(r[10])));
  CUSTODIAN_ASSIGN_OR_RETURN(q.state, ParseState(AsString(r[11])));
  store::ColumnsTo(r, 12, q.submitted_by, q.director, q.director_at, q.coordinator, q.coordinator_at, q.decision_note,
                   q.fulfilled_at, q.export_path);
  return q;
}

Result<std::optional<RecordsRequest>> Load(Governance& gov, int64_t id) {
  std::optional<RecordsRequest> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(std::string("SELECT ") + kColumns +
                                                        " FROM records_requests WHERE id = ?",
                                                    {id}));
    if (rows.empty()) return Status::Ok();
    CUSTODIAN_ASSIGN_OR_RETURN(auto q, Decode(rows[0]));
    out = std::move(q);
    return Status::Ok();
  }));
  return out;
}

bool MaySeeAll(Governance& gov, const Principal& by) {
  return !by.system && (by.role == Role::kCoordinator || gov.matrix().Allows(by.role, ops::kApproveRecordsRequest));
}

Status CheckText(const char* field, const std::string& v, size_t max) {
  if (v.empty() || v.size() > max) return Status::InvalidArgument(field, " must be 1..", max, " characters");
  for (unsigned char c : v) {
    if (c < 0x20 && c != '\n' && c != '\t') return Status::InvalidArgument(field, " holds a control character");
  }
  return Status::Ok();
}

json QueryJson(const store::SearchQuery& q) {
  json j = json::object();
  j["plate"] = q.plate;
  j["match"] = std::string(store::PlateMatchName(q.match));
  j["extra_edits"] = q.extra_edits;
  if (q.from) j["from_ms"] = ToUnixMillis(*q.from);
  if (q.to) j["to_ms"] = ToUnixMillis(*q.to);
  j["cameras"] = q.camera_ids;
  if (q.area) j["area"] = {q.area->min_lat, q.area->min_lon, q.area->max_lat, q.area->max_lon};
  if (q.data_class) j["data_class"] = std::string(store::DataClassName(*q.data_class));
  return j;
}

json RequestJson(const RecordsRequest& q) {
  return {{"number", q.number},
          {"requester", q.form.requester},
          {"department", q.form.department},
          {"phone", q.form.phone},
          {"email", q.form.email},
          {"requested_ms", ToUnixMillis(q.form.date_requested)},
          {"required_ms", ToUnixMillis(q.form.date_required)},
          {"data_class", std::string(store::DataClassName(q.form.data_class))},
          {"description", q.form.description},
          {"reason", q.form.reason},
          {"search", QueryJson(q.form.search)},
          {"submitted_by", q.submitted_by},
          {"director", q.director},
          {"coordinator", q.coordinator}};
}

Status WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), std::streamsize(data.size()));
  f.close();
  if (!f) return Status::Unavailable("cannot write ", p.string());
  return Status::Ok();
}

}  // namespace

std::string_view RequestStateName(RequestState s) {
  switch (s) {
    case RequestState::kSubmitted: return "submitted";
    case RequestState::kDirectorApproved: return "director_approved";
    case RequestState::kApproved: return "approved";
    case RequestState::kRefused: return "denied";
    case RequestState::kFulfilled: return "fulfilled";
  }
  return "unknown";
}

std::string SearchQueryToJson(const store::SearchQuery& q) { return QueryJson(q).dump(); }

Result<store::SearchQuery> SearchQueryFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("the search is not a JSON object");
  store::SearchQuery q;
  try {
    q.plate = j.value("plate", std::string());
    const std::string m = j.value("match", std::string("exact"));
    auto match = store::ParsePlateMatch(m);
    if (!match.ok()) return Status::InvalidArgument("unknown match '", Clip(m, 20), "'");
    q.match = *match;
    q.extra_edits = j.value("extra_edits", 0);
    if (j.contains("from_ms")) q.from = FromUnixMillis(j["from_ms"].get<int64_t>());
    if (j.contains("to_ms")) q.to = FromUnixMillis(j["to_ms"].get<int64_t>());
    if (j.contains("cameras")) q.camera_ids = j["cameras"].get<std::vector<std::string>>();
    if (j.contains("area")) {
      auto a = j["area"].get<std::vector<double>>();
      if (a.size() != 4) return Status::InvalidArgument("the search area needs four numbers");
      q.area = store::GeoBox{a[0], a[1], a[2], a[3]};
    }
    if (j.contains("data_class")) {
      CUSTODIAN_ASSIGN_OR_RETURN(q.data_class, store::ParseDataClass(j["data_class"].get<std::string>()));
    }
  } catch (const json::exception& ex) {
    return Status::InvalidArgument("the search JSON is malformed: ", ex.what());
  }
  return q;
}

Status ValidateRecordsRequest(const RecordsRequestForm& f, TimePoint now) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("requester", f.requester, 128));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("department", f.department, 128));
  int digits = 0;
  for (char c : f.phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (!std::strchr(" +()-.", c) || c == '\0') {
      return Status::InvalidArgument("phone may hold digits, spaces and + ( ) - . only");
    }
  }
  if (digits < 10 || digits > 15 || f.phone.size() > 32) {
    return Status::InvalidArgument("phone must have 10..15 digits");
  }
  {
    const std::string& e = f.email;
    const auto at = e.find('@');
    bool ok = e.size() >= 6 && e.size() <= 254 && at != std::string::npos && at > 0 && e.find('@', at + 1) == std::string::npos;
    if (ok) {
      const std::string domain = e.substr(at + 1);
      const auto dot = domain.rfind('.');
      ok = dot != std::string::npos && dot > 0 && dot + 2 <= domain.size() - 1 + 1 && domain.size() - dot - 1 >= 2 &&
           domain.front() != '.' && domain.find("..") == std::string::npos;
      for (unsigned char c : e) {
        if (c <= 0x20 || c >= 0x7f || std::strchr("<>()[]\\,;:\"", c)) ok = false;
      }
    }
    if (!ok) return Status::InvalidArgument("e-mail must look like name@example.gov");
  }
  if (ToUnixMillis(f.date_requested) == 0) return Status::InvalidArgument("date requested is required");
  if (f.date_requested > now + std::chrono::days(1)) return Status::InvalidArgument("date requested is in the future");
  if (f.date_required < f.date_requested) return Status::InvalidArgument("date required is before date requested");
  CUSTODIAN_RETURN_IF_ERROR(CheckText("description", f.description, 4000));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("reason", f.reason, 2000));
  if (!f.search.from || !f.search.to || !(*f.search.from < *f.search.to)) {
    return Status::InvalidArgument("the search needs its dates: from before to");
  }
  if (f.search.match != store::PlateMatch::kAny && f.search.plate.empty()) {
    return Status::InvalidArgument("the search needs a plate for its match");
  }
  return Status::Ok();
}

Result<int64_t> SubmitRecordsRequest(Governance& gov, const Principal& by, const RecordsRequestForm& form) {
  LogEvent e = gov.Event(by, "submit_records_request", kDenied);
  e.terms = json{{"data_class", std::string(store::DataClassName(form.data_class))},
                 {"search", QueryJson(form.search)}}
                .dump();
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kSubmitRecordsRequest, std::nullopt, e));
  const TimePoint now = gov.clock().Now();
  if (Status v = ValidateRecordsRequest(form, now); !v.ok()) return LogOutcome(gov, by, e, Outcome::Refused(v));
  store::SearchQuery q = form.search;
  q.data_class = form.data_class;
  q.cursor.clear();
  int64_t id = 0;
  e.Allow(1, "records request submitted");
  CUSTODIAN_RETURN_IF_ERROR(gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows,
        txn.Query("INSERT INTO records_requests (requester, department, phone, email, requested_ms, required_ms, "
                  "data_class, description, reason, search, state, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, 'submitted', ?) RETURNING id",
                  {form.requester, form.department, form.phone, form.email, ToUnixMillis(form.date_requested),
                   ToUnixMillis(form.date_required), std::string(store::DataClassName(form.data_class)),
                   form.description, form.reason, SearchQueryToJson(q), by.username}));
    if (rows.empty()) return Status::Internal("the request was not stored");
    id = AsInt(rows[0][0]);
    return Status::Ok();
  }));
  return id;
}

namespace {

// One decision on request `id`: check(request) refuses or passes; apply(txn) writes.
Status Decide(Governance& gov, const Principal& by, int64_t id, const std::string& action, std::string_view op,
              bool coordinator_only, const std::function<Status(const RecordsRequest&)>& check,
              const std::string& sql, std::vector<SqlValue> params, const std::string& note) {
  LogEvent e = gov.Event(by, action, kDenied);
  e.terms = json{{"request_id", id}}.dump();
  e.case_number = Number(id);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, op, std::nullopt, e));
  if (coordinator_only && by.role != Role::kCoordinator) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::PermissionDenied("only the coordinator may ", action)));
  }
  if (note.size() > 2000) {
    return LogOutcome(gov, by, e, Outcome::Refused(Status::InvalidArgument("the note is at most 2000 characters")));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto q, Load(gov, id));
  if (!q) return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no records request ", id)));
  if (Status c = check(*q); !c.ok()) return LogOutcome(gov, by, e, Outcome::Refused(c));
  e.Allow(1, action + " " + Number(id));
  Status st = gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, params));
    if (rows.empty()) return Status::InvalidArgument("request ", Number(id), " changed meanwhile; try again");
    return Status::Ok();
  });
  return IsRefusal(st) ? LogOutcome(gov, by, e, Outcome::Refused(st)) : st;
}

}  // namespace

Status DirectorApprove(Governance& gov, const Principal& by, int64_t id, const std::string& note) {
  const int64_t now = ToUnixMillis(gov.clock().Now());
  return Decide(
      gov, by, id, "director_approve_records_request", ops::kApproveRecordsRequest, false,
      [&](const RecordsRequest& q) -> Status {
        if (q.submitted_by == by.username) return Status::PermissionDenied("the submitter may not approve the request");
        if (q.state != RequestState::kSubmitted) {
          return Status::InvalidArgument("request is ", RequestStateName(q.state), ", not awaiting a director");
        }
        return Status::Ok();
      },
      "UPDATE records_requests SET state = 'director_approved', director = ?, director_ms = ?, decision_note = ? "
      "WHERE id = ? AND state = 'submitted' RETURNING id",
      {by.username, now, note, id}, note);
}

Status CoordinatorApprove(Governance& gov, const Principal& by, int64_t id, const std::string& note) {
  const int64_t now = ToUnixMillis(gov.clock().Now());
  return Decide(
      gov, by, id, "coordinator_approve_records_request", ops::kApproveRecordsRequest, true,
      [&](const RecordsRequest& q) -> Status {
        if (q.submitted_by == by.username || q.director == by.username) {
          return Status::PermissionDenied("the coordinator's approval must come from a third person");
        }
        if (q.state != RequestState::kDirectorApproved) {
          return Status::InvalidArgument("request is ", RequestStateName(q.state), ", not awaiting the coordinator");
        }
        return Status::Ok();
      },
      "UPDATE records_requests SET state = 'approved', coordinator = ?, coordinator_ms = ?, decision_note = ? "
      "WHERE id = ? AND state = 'director_approved' RETURNING id",
      {by.username, now, note, id}, note);
}

Status DenyRecordsRequest(Governance& gov, const Principal& by, int64_t id, const std::string& note) {
  const int64_t now = ToUnixMillis(gov.clock().Now());
  return Decide(
      gov, by, id, "deny_records_request", ops::kApproveRecordsRequest, true,
      [&](const RecordsRequest& q) -> Status {
        if (q.state == RequestState::kFulfilled || q.state == RequestState::kRefused) {
          return Status::InvalidArgument("request is ", RequestStateName(q.state), " already");
        }
        return Status::Ok();
      },
      "UPDATE records_requests SET state = 'denied', coordinator = ?, coordinator_ms = ?, decision_note = ? "
      "WHERE id = ? AND state IN ('submitted', 'director_approved', 'approved') RETURNING id",
      {by.username, now, note, id}, note);
}

Result<RecordsRequest> GetRecordsRequest(Governance& gov, const Principal& by, int64_t id) {
  LogEvent e = gov.Event(by, "view_records_request", kDenied);
  e.terms = json{{"request_id", id}}.dump();
  e.case_number = Number(id);
  const bool all = MaySeeAll(gov, by);
  if (!all) CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kSubmitRecordsRequest, std::nullopt, e));
  CUSTODIAN_ASSIGN_OR_RETURN(auto q, Load(gov, id));
  if (!q || (!all && q->submitted_by != by.username)) {
    // Someone else's request is refused as if absent: its existence is confidential too.
    return LogOutcome(gov, by, e,
                      Outcome::Refused(q ? Status::PermissionDenied("records request ", Number(id), " is confidential")
                                         : Status::NotFound("no records request ", id)));
  }
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(1)));
  return *q;
}

Result<std::vector<RecordsRequest>> ListRecordsRequests(Governance& gov, const Principal& by) {
  LogEvent e = gov.Event(by, "list_records_requests", kDenied);
  const bool all = MaySeeAll(gov, by);
  if (!all) CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kSubmitRecordsRequest, std::nullopt, e));
  std::vector<RecordsRequest> out;
  CUSTODIAN_RETURN_IF_ERROR(gov.store().Transact([&](Txn& txn) -> Status {
    std::string sql = std::string("SELECT ") + kColumns + " FROM records_requests";
    std::vector<SqlValue> params;
    if (!all) {
      sql += " WHERE submitted_by = ?";
      params.push_back(by.username);
    }
    sql += " ORDER BY id DESC";
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query(sql, params));
    for (const auto& r : rows) {
      CUSTODIAN_ASSIGN_OR_RETURN(auto q, Decode(r));
      out.push_back(std::move(q));
    }
    return Status::Ok();
  }));
  CUSTODIAN_RETURN_IF_ERROR(LogOutcome(gov, by, e, Outcome::Released(int64_t(out.size()))));
  return out;
}

Result<RecordsExport> FulfilRecordsRequest(Governance& gov, const Principal& by, int64_t id, const fs::path& out_dir,
                                           int64_t max_reads) {
  LogEvent e = gov.Event(by, actions::kFulfilRecordsRequest, kDenied);
  e.terms = json{{"request_id", id}, {"out_dir", Clip(out_dir.string())}}.dump();
  e.purpose = "records_request";
  e.case_number = Number(id);
  CUSTODIAN_RETURN_IF_ERROR(gov.Authorize(by, ops::kApproveRecordsRequest, std::nullopt, e));
  if (by.role != Role::kCoordinator) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::PermissionDenied("only the coordinator may fulfil a records request")));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto q, Load(gov, id));
  if (!q) return LogOutcome(gov, by, e, Outcome::Refused(Status::NotFound("no records request ", id)));
  if (q->state != RequestState::kApproved) {
    return LogOutcome(
        gov, by, e,
        Outcome::Refused(Status::PermissionDenied("request ", q->number, " is ", RequestStateName(q->state),
                                                  "; it needs the director's and the coordinator's approval first")));
  }
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_empty(out_dir, ec)) {
    return LogOutcome(gov, by, e,
                      Outcome::Refused(Status::InvalidArgument("export folder ", out_dir.string(), " is not empty")));
  }
  // The search, logged page by page like any other access.
  store::SearchQuery sq = q->form.search;
  sq.data_class = q->form.data_class;
  sq.limit = store::kMaxPageSize;
  sq.cursor.clear();
  json reads = json::array();
  for (;;) {
    CUSTODIAN_ASSIGN_OR_RETURN(auto page, policy::SearchReads(gov, by, {"records_request", q->number}, sq));
    for (const auto& r : page.reads) reads.push_back(store::ReadToJson(r, {.image_hashes = true}));
    if (page.next_cursor.empty()) break;
    if (int64_t(reads.size()) >= max_reads) {
      return LogOutcome(
          gov, by, e,
          Outcome::Refused(Status::InvalidArgument("the search returns more than ", max_reads, " reads; narrow it")));
    }
    sq.cursor = page.next_cursor;
  }
  // The folder: request, reads, and a manifest signed with the agency key.
  fs::create_directories(out_dir, ec);
  if (ec) return Status::Unavailable("cannot create ", out_dir.string(), ": ", ec.message());
  CUSTODIAN_ASSIGN_OR_RETURN(auto sk, store::LoadSigningKey(gov.options().signing_key_file, false));
  LogSigner signer(std::move(sk));
  const int64_t now = ToUnixMillis(gov.clock().Now());
  json files = json::array();
  for (const auto& [name, data] : std::vector<std::pair<std::string, std::string>>{
           {"reads.json", reads.dump(2)}, {"request.json", RequestJson(*q).dump(2)}}) {
    CUSTODIAN_RETURN_IF_ERROR(WriteFile(out_dir / name, data));
    files.push_back({{"path", name}, {"sha256", Sha256Hex(data)}, {"size", int64_t(data.size())}});
  }
  const json manifest_json = {{"version", store::kExportFormatVersion},
                              {"created", now},
                              {"public_key", signer.public_key_hex()},
                              {"files", files}};
  const std::string manifest = manifest_json.dump(2);
  CUSTODIAN_RETURN_IF_ERROR(WriteFile(out_dir / "manifest.json", manifest));
  CUSTODIAN_RETURN_IF_ERROR(WriteFile(out_dir / "manifest.sig", signer.SignHex(manifest)));
  const std::string path = fs::absolute(out_dir, ec).string();
  e.Allow(int64_t(reads.size()), "records request fulfilled into " + Clip(path));
  Status st = gov.RecordWith(by, e, [&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto rows, txn.Query("UPDATE records_requests SET state = 'fulfilled', fulfilled_ms = ?, "
                                                    "export_path = ? WHERE id = ? AND state = 'approved' RETURNING id",
                                                    {now, path, id}));
    if (rows.empty()) return Status::InvalidArgument("request ", q->number, " was fulfilled or denied meanwhile");
    return Status::Ok();
  });
  if (!st.ok()) {
    // Nothing leaves without its record: the files go too.
    fs::remove_all(out_dir, ec);
    return IsRefusal(st) ? LogOutcome(gov, by, e, Outcome::Refused(st)) : st;
  }
  return RecordsExport{out_dir, int64_t(reads.size())};
}

}  // namespace custodian::policy
