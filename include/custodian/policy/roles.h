// Roles, the permission matrix and the purposes a query may state, all kept as data
// (policy/roles.json and policy/purposes.json, built into the binary; an agency may
// point the governance options at its own files).
//
// Basic usage:
//   const auto& m = policy::PermissionMatrix::Default();
//   if (!m.Allows(policy::Role::kPatrol, policy::ops::kSearchReads, store::DataClass::kPublicSafety)) ...
//   Status ok = policy::PurposeList::Default().Check("criminal_investigation", "24-CR-0117");
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/store/types.h"

namespace custodian::policy {

// The roles of policy 1-2, 5.A and 5.B.
enum class Role {
  kCoordinator,
  kPatrol,
  kInvestigator,
  kDispatch,
  kCrimeAnalyst,
  kParkingEnforcement,
  kCommandStaff,
  kAuditor,
  kVendorSupport,
  kPartnerAgency,
};
inline constexpr Role kAllRoles[] = {Role::kCoordinator,  Role::kPatrol,        Role::kInvestigator, Role::kDispatch,
                                     Role::kCrimeAnalyst, Role::kParkingEnforcement, Role::kCommandStaff,
                                     Role::kAuditor,      Role::kVendorSupport, Role::kPartnerAgency};
// "coordinator", "patrol", "investigator", "dispatch", "crime_analyst",
// "parking_enforcement", "command_staff", "auditor", "vendor_support", "partner_agency".
std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

// Operation names (the keys of policy/roles.json).
namespace ops {
inline constexpr std::string_view kSearchReads = "search_reads";
inline constexpr std::string_view kViewImages = "view_images";
inline constexpr std::string_view kViewAlerts = "view_alerts";
inline constexpr std::string_view kReviewAlerts = "review_alerts";
inline constexpr std::string_view kPlaceHolds = "place_holds";
inline constexpr std::string_view kExportEvidence = "export_evidence";
inline constexpr std::string_view kAccuracyAudit = "accuracy_audit";
inline constexpr std::string_view kViewHotlists = "view_hotlists";
inline constexpr std::string_view kManageHotlists = "manage_hotlists";
inline constexpr std::string_view kManageUsers = "manage_users";
inline constexpr std::string_view kApproveAcknowledgments = "approve_acknowledgments";
inline constexpr std::string_view kRecordTraining = "record_training";
inline constexpr std::string_view kManageCameras = "manage_cameras";
inline constexpr std::string_view kViewCameras = "view_cameras";
inline constexpr std::string_view kManageRetention = "manage_retention";
inline constexpr std::string_view kManageGrants = "manage_grants";
inline constexpr std::string_view kViewAccessLog = "view_access_log";
inline constexpr std::string_view kAccessReports = "access_reports";
inline constexpr std::string_view kRecordLogReview = "record_log_review";
inline constexpr std::string_view kSubmitRecordsRequest = "submit_records_request";
inline constexpr std::string_view kApproveRecordsRequest = "approve_records_request";
inline constexpr std::string_view kBreachNotices = "breach_notices";
inline constexpr std::string_view kSystemAdmin = "system_admin";
}  // namespace ops

// Immutable after construction; thread-safe.
class PermissionMatrix {
 public:
  struct Operation {
    std::string name;
    std::string title;
    bool scoped = false;  // per data class
  };

  // Parses the JSON of policy/roles.json. kInvalidArgument for unknown roles or
  // operations, a scoped operation given `true`, an unscoped one given a class list, or
  // an unknown class name.
  static Result<PermissionMatrix> Parse(std::string_view json);
  static Result<PermissionMatrix> Load(const std::string& file);
  // The matrix built into the binary.
  static const PermissionMatrix& Default();

  // Deny by default: false for an unknown operation or a role that does not list it. A
  // scoped operation needs `data_class` (false without one); an unscoped one ignores it.
  bool Allows(Role role, std::string_view op, std::optional<store::DataClass> data_class = std::nullopt) const;
  // The classes `role` may touch through scoped operation `op` (empty when none).
  std::vector<store::DataClass> ClassesFor(Role role, std::string_view op) const;
  // Whether `role` may perform `op` at all: on some data class when `op` is scoped.
  bool AllowsAny(Role role, std::string_view op) const;
  // What `role` may do, in the order of operations(): each unscoped operation it may
  // perform, and "op:class" (e.g. "search_reads:public_safety") for each class of each
  // scoped one.
  std::vector<std::string> Permissions(Role role) const;
  // Whether `op` is known and scoped.
  bool Scoped(std::string_view op) const;
  bool Known(std::string_view op) const;
  const std::vector<Operation>& operations() const { return operations_; }
  std::string_view RoleTitle(Role role) const;

  // The matrix as a text table: one line per operation, one column per role; "PS",
  // "NPS", "PS+NPS", "yes" or "-".
  std::string Describe() const;

 private:
  std::vector<Operation> operations_;
  std::map<Role, std::string> titles_;
  // role -> operation -> allowed classes (bit 0 public safety, bit 1 non-public safety;
  // unscoped operations store 3).
  std::map<Role, std::map<std::string, int, std::less<>>> allow_;
};

// The purposes a query of plate data may state, and those the agency forbids.
class PurposeList {
 public:
  static Result<PurposeList> Parse(std::string_view json);
  static Result<PurposeList> Load(const std::string& file);
  static const PurposeList& Default();

  // OK when `purpose` is an allowed code (not forbidden) and `case_number` looks like a
  // case or incident number: 3..40 characters, letters, digits and - / . _ : only, at
  // least one digit. kPermissionDenied for a forbidden purpose; kInvalidArgument for an
  // unknown code (free text), a missing or malformed case number.
  Status Check(std::string_view purpose, std::string_view case_number) const;
  bool Forbidden(std::string_view purpose) const;
  const std::map<std::string, std::string, std::less<>>& allowed() const { return allowed_; }
  const std::map<std::string, std::string, std::less<>>& forbidden() const { return forbidden_; }

 private:
  std::map<std::string, std::string, std::less<>> allowed_;
  std::map<std::string, std::string, std::less<>> forbidden_;
};

// The texts built into the binary (policy/*.json, banned-passwords.txt).
std::string_view BuiltinRolesJson();
std::string_view BuiltinPurposesJson();
std::string_view BuiltinBannedPasswords();

}  // namespace custodian::policy
