// Sharing with other California public agencies (policy 5.D; Civil Code 1798.90.55(b)):
// none by default. The coordinator grants a partner agency a set of data classes (and,
// optionally, only some cameras) until an expiry date, and may revoke a grant at once.
// Partner users' searches go through policy::SearchReads, which honours the grants
// in force (not revoked, not expired); SharingReport shows every grant and what each
// partner's users did with them.
//
// Basic usage:
//   CUSTODIAN_ASSIGN_OR_RETURN(int64_t id, policy::GrantSharing(gov, coord, {
//       .agency_code = "COUNTYSO", .data_classes = {store::DataClass::kPublicSafety},
//       .expires = clock.Now() + std::chrono::days(90)}));
//   CUSTODIAN_RETURN_IF_ERROR(policy::RevokeSharing(gov, coord, id));
//
// Every call is authorised (manage_grants; the report: access_reports) and logged; each
// refusal leaves a "denied" entry in the access log.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/store/types.h"

namespace custodian::policy {

// The longest a grant may run: one year (366 days, so a grant made on the same date a
// year later still fits). Longer sharing needs a new grant, i.e. a fresh decision.
inline constexpr std::chrono::days kMaxGrantLength{366};

struct GrantSpec {
  // The partner agency (must exist, and must not be the granting user's own). REQUIRED.
  std::string agency_code;
  // The classes shared; at least one. REQUIRED.
  std::vector<store::DataClass> data_classes;
  // Only these cameras (each must exist and be of a shared class). Default: every camera
  // of the shared classes.
  std::vector<std::string> camera_ids;
  // When the grant ends: after now and at most kMaxGrantLength ahead. REQUIRED.
  TimePoint expires;
};

// The partner's written attestation that makes a grant take force (policy 5.D; Civil Code
// 1798.90.55(b); Government Code 7284.6; Penal Code 13778.2).
struct Attestation {
  std::string signatory;  // who signed for the partner agency; 1..128 characters. REQUIRED.
  TimePoint signed_on;    // the date it was signed; not in the future. REQUIRED.
  // What they signed: must commit to no use for immigration enforcement, none for
  // investigating lawful reproductive or gender-affirming care, and no onward sharing
  // (it must mention "immigration", "reproductive", "gender-affirming" and "shar").
  // 40..20000 characters. Default: kStandardAttestation.
  std::string text;
};

inline constexpr const char* kStandardAttestation =
    "On behalf of the partner agency named in this grant, I attest that ALPR data shared under it will be used only "
    "for the purposes the grant states; it will not be used for immigration enforcement (California Government Code "
    "7284.6), nor to investigate, identify or prosecute anyone for seeking, providing or assisting with lawful "
    "reproductive or gender-affirming health care (Penal Code 13778.2; Civil Code 1798.90.55); and it will not be "
    "shared, sold or transferred onward to any other person or agency.";

struct SharingGrant {
  int64_t id = 0;
  std::string agency_code;
  std::vector<store::DataClass> data_classes;
  std::vector<std::string> camera_ids;  // empty: every camera of the classes
  TimePoint expires;
  std::string created_by;
  TimePoint created_at;
  std::string revoked_by;               // "" while not revoked
  std::optional<TimePoint> revoked_at;
  // The attestation, once recorded (none: the grant is not in force yet).
  std::string attested_signatory;
  std::optional<TimePoint> attested_on;
  std::string attested_by;              // the user who recorded it
  // Attested, not revoked and not expired, at the time of the call (and the agency still
  // recorded as a California public, non-federal agency).
  bool in_force = false;
};

// What an agency other than the installation's may receive at one time: one scope per
// grant in force and class. A read (an alert, by its read) is shared only where a single
// grant covers both its class and its camera: grants do not add up. A grant is in force
// when it is attested, not revoked, not expired, and its agency may receive sharing (a
// California public, non-federal agency).
struct SharedScope {
  std::vector<store::AccessScope> scopes;
  std::set<store::DataClass> classes;  // the union of the scopes' classes
  // Whether one grant covers class `c` and camera `camera_id` together.
  bool Covers(store::DataClass c, const std::string& camera_id) const;
  // Whether some grant shares camera `camera_id` (names it, or names no cameras).
  bool SharesCamera(const std::string& camera_id) const;
};

// The grants of `agency_code` in force at `now`.
Result<SharedScope> GrantsInForce(store::ReadStore& store, const std::string& agency_code, TimePoint now);

// Whether agency `agency_code` may receive plate data of class `c` captured by camera
// `camera_id` now: the installation's own agency (Governance::HomeAgency) always; any
// other only where one of its grants in force covers both. kNotFound for an agency that is
// not recorded. Used for deliveries to other systems (webhooks), which act for an agency,
// not a user.
Result<bool> AgencyMayReceive(Governance& gov, const std::string& agency_code, store::DataClass c,
                              const std::string& camera_id);

// Creates a grant (not in force until AttestSharing); returns its id. kPermissionDenied
// without manage_grants, or when the agency is not a California public, non-federal one
// (logged); kInvalidArgument for the own agency, no class, a bad camera or expiry;
// kNotFound for an unknown agency or camera.
Result<int64_t> GrantSharing(Governance& gov, const Principal& by, const GrantSpec& spec);

// Records the partner's attestation on grant `id`; the grant is in force from then until
// it expires or is revoked. kNotFound for an unknown grant; kInvalidArgument for a grant
// revoked, expired or attested already, or an attestation missing a commitment.
Status AttestSharing(Governance& gov, const Principal& by, int64_t id, const Attestation& attestation);

// Ends grant `id` at once (the next partner search is refused). kNotFound for an unknown
// grant; kInvalidArgument when it was revoked already.
Status RevokeSharing(Governance& gov, const Principal& by, int64_t id);

// Every grant, newest first; revoked ones only when `include_revoked`.
Result<std::vector<SharingGrant>> ListGrants(Governance& gov, const Principal& by, bool include_revoked);

// What one partner agency's users did with plate data in the period.
struct PartnerActivity {
  std::string agency_code;
  int64_t searches = 0;          // plate-data entries (IsPlateDataAction), webhook deliveries included
  int64_t denied = 0;            // of which refused
  int64_t records = 0;           // records returned in all
  std::vector<std::string> users;     // sorted, distinct
  std::vector<std::string> terms;     // each entry's terms JSON, in log order
  std::map<std::string, int64_t> purposes;  // purpose code -> entries
  std::map<std::string, int64_t> cases;     // case number -> entries
  std::vector<int64_t> seqs;          // the log entries
};

struct SharingSummary {
  std::vector<SharingGrant> grants;        // every grant, revoked included
  std::vector<PartnerActivity> partners;   // by agency code; partners with activity
};

// Every grant and, per agency other than the caller's own, its users' plate-data
// activity and the alerts delivered to its systems (webhook deliveries, logged under the
// receiving agency) in [from, to). Needs access_reports; the reading is logged.
Result<SharingSummary> SharingReport(Governance& gov, const Principal& by, TimePoint from, TimePoint to);

}  // namespace custodian::policy
