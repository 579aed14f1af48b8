// Records requests (the policy's electronic data and records request form): submitted,
// approved by a director (someone other than the submitter) and then by the coordinator,
// and fulfilled by running the stated search through policy::SearchReads (purpose
// "records_request", the request number "RR-<id>" as case number) into an export folder.
// Requests are confidential: only the submitter, approvers and coordinators see them.
//
// Basic usage:
//   auto id = policy::SubmitRecordsRequest(gov, analyst, form);
//   policy::DirectorApprove(gov, captain, *id, "approved");
//   policy::CoordinatorApprove(gov, coord, *id, "approved");
//   auto done = policy::FulfilRecordsRequest(gov, coord, *id, "/exports/RR-7");
//
// Every step is authorised and logged; each refusal leaves a "denied" entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/store/types.h"

namespace custodian::policy {

struct RecordsRequestForm {
  std::string requester;    // 1..128 characters. REQUIRED.
  std::string department;   // 1..128 characters. REQUIRED.
  std::string phone;        // 10..15 digits; spaces, + ( ) - . allowed between. REQUIRED.
  std::string email;        // local@domain.tld, up to 254 characters. REQUIRED.
  TimePoint date_requested; // not after today. REQUIRED.
  TimePoint date_required;  // not before date_requested. REQUIRED.
  store::DataClass data_class = store::DataClass::kPublicSafety;
  std::string description;  // of the records, including the search dates; 1..4000. REQUIRED.
  std::string reason;       // 1..2000 characters. REQUIRED.
  // The search that fulfils the request; from and to are REQUIRED (from < to). Its
  // data_class is set to the form's.
  store::SearchQuery search;
};

enum class RequestState { kSubmitted, kDirectorApproved, kApproved, kRefused, kFulfilled };
// "submitted", "director_approved", "approved", "denied", "fulfilled".
std::string_view RequestStateName(RequestState state);

struct RecordsRequest {
  int64_t id = 0;
  std::string number;  // "RR-<id>": the case number of its fulfilment
  RecordsRequestForm form;
  RequestState state = RequestState::kSubmitted;
  std::string submitted_by;
  std::string director;
  std::optional<TimePoint> director_at;
  std::string coordinator;
  std::optional<TimePoint> coordinator_at;
  std::string decision_note;
  std::optional<TimePoint> fulfilled_at;
  std::string export_path;
};

// The search as JSON and back (plate, match, extra_edits, from_ms, to_ms, cameras, area,
// data_class). kInvalidArgument for malformed JSON.
std::string SearchQueryToJson(const store::SearchQuery& q);
Result<store::SearchQuery> SearchQueryFromJson(const std::string& text);

// Checks every field of the form (kInvalidArgument naming the first bad one).
Status ValidateRecordsRequest(const RecordsRequestForm& form, TimePoint now);

// Needs submit_records_request. Returns the request id.
Result<int64_t> SubmitRecordsRequest(Governance& gov, const Principal& by, const RecordsRequestForm& form);

// The first approval: approve_records_request, by someone other than the submitter, on
// a submitted request.
Status DirectorApprove(Governance& gov, const Principal& by, int64_t id, const std::string& note);

// The second approval: the coordinator role only, neither the submitter nor the
// director, after the director's approval.
Status CoordinatorApprove(Governance& gov, const Principal& by, int64_t id, const std::string& note);

// Refuses the request (coordinator role only) before it is fulfilled.
Status DenyRecordsRequest(Governance& gov, const Principal& by, int64_t id, const std::string& note);

// The submitter, approvers (approve_records_request) and coordinators only.
Result<RecordsRequest> GetRecordsRequest(Governance& gov, const Principal& by, int64_t id);
// Approvers and coordinators: every request; submitters: their own. Newest first.
Result<std::vector<RecordsRequest>> ListRecordsRequests(Governance& gov, const Principal& by);

struct RecordsExport {
  std::filesystem::path dir;
  int64_t reads = 0;
};

// Fulfils an approved request (coordinator role): runs the search (every page, at most
// max_reads reads) as `by`, and writes into `out_dir` (which must not exist or be empty):
//   request.json   the request
//   reads.json     the reads found, an array of the one shape of a read with its image hashes
//                  (store::ReadToJson(read, {.image_hashes = true}))
//   manifest.json  {"version": 2, "created": ms, "public_key": hex, "files": [{"path", "sha256", "size"}]}
//                  ("version" is store::kExportFormatVersion; `custodian evidence verify` checks it)
//   manifest.sig   the agency key's Ed25519 signature of manifest.json, hex
// then records fulfilled_ms and export_path. kPermissionDenied (logged) before both approvals.
Result<RecordsExport> FulfilRecordsRequest(Governance& gov, const Principal& by, int64_t id,
                                           const std::filesystem::path& out_dir, int64_t max_reads = 100'000);

}  // namespace custodian::policy
