// PermissionMatrix and PurposeList from their JSON data files.
#include "custodian/policy/roles.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace custodian::policy {
namespace {

using json = nlohmann::json;

constexpr int kPs = 1;
constexpr int kNps = 2;

int ClassBit(store::DataClass c) { return c == store::DataClass::kPublicSafety ? kPs : kNps; }

Result<std::string> ReadText(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("cannot read ", file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<json> ParseJson(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument(what, " is not a JSON object");
  return j;
}

// T::Parse of the text of `file`; an error names the file.
template <typename T>
Result<T> LoadFile(const std::string& file) {
  CUSTODIAN_ASSIGN_OR_RETURN(std::string text, ReadText(file));
  auto parsed = T::Parse(text);
  if (!parsed.ok()) return Status(parsed.status().code(), file + ": " + parsed.status().message());
  return parsed;
}

// T::Parse of a file built into the binary, parsed once (at the first call, whose `text`
// counts) and never freed. The built-in files are tested; a bad one is a build defect, so
// the process aborts.
template <typename T>
const T& Builtin(std::string_view text) {
  static const T* value = [text] {
    auto parsed = T::Parse(text);
    if (!parsed.ok()) std::abort();
    return new T(std::move(*parsed));
  }();
  return *value;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCoordinator: return "coordinator";
    case Role::kPatrol: return "patrol";
    case Role::kInvestigator: return "investigator";
    case Role::kDispatch: return "dispatch";
    case Role::kCrimeAnalyst: return "crime_analyst";
    case Role::kParkingEnforcement: return "parking_enforcement";
    case Role::kCommandStaff: return "command_staff";
    case Role::kAuditor: return "auditor";
    case Role::kVendorSupport: return "vendor_support";
    case Role::kPartnerAgency: return "partner_agency";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  std::string known;
  for (Role r : kAllRoles) known += (known.empty() ? "" : ", ") + std::string(RoleName(r));
  return Status::InvalidArgument("unknown role '", name.substr(0, 40), "'; roles are ", known);
}

Result<PermissionMatrix> PermissionMatrix::Parse(std::string_view text) {
  CUSTODIAN_ASSIGN_OR_RETURN(json j, ParseJson(text, "the permission matrix"));
  PermissionMatrix m;
  if (!j.contains("operations") || !j["operations"].is_object() || !j.contains("roles") || !j["roles"].is_object()) {
    return Status::InvalidArgument("the permission matrix needs \"operations\" and \"roles\" objects");
  }
  for (auto& [name, op] : j["operations"].items()) {
    if (!op.is_object() || !op.value("scoped", json()).is_boolean()) {
      return Status::InvalidArgument("operation '", name, "' needs \"scoped\": true or false");
    }
    m.operations_.push_back({name, op.value("title", name), op["scoped"].get<bool>()});
  }
  for (auto& [role_name, role] : j["roles"].items()) {
    CUSTODIAN_ASSIGN_OR_RETURN(Role r, ParseRole(role_name));
    m.titles_[r] = role.value("title", role_name);
    auto& allow = m.allow_[r];
    if (!role.contains("allow")) continue;
    if (!role["allow"].is_object()) return Status::InvalidArgument("role '", role_name, "': \"allow\" is an object");
    for (auto& [op_name, v] : role["allow"].items()) {
      auto it = std::find_if(m.operations_.begin(), m.operations_.end(),
                             [&op = op_name](const Operation& o) { return o.name == op; });
      if (it == m.operations_.end()) {
        return Status::InvalidArgument("role '", role_name, "' allows unknown operation '", op_name, "'");
      }
      if (it->scoped) {
        if (!v.is_array()) {
          return Status::InvalidArgument("role '", role_name, "', operation '", op_name,
                                         "' is per data class: give a list of classes");
        }
        int bits = 0;
        for (const auto& c : v) {
          if (!c.is_string()) return Status::InvalidArgument("role '", role_name, "': a class name is a string");
          CUSTODIAN_ASSIGN_OR_RETURN(store::DataClass dc, store::ParseDataClass(c.get<std::string>()));
          bits |= ClassBit(dc);
        }
        if (bits) allow[op_name] = bits;
      } else {
        if (!v.is_boolean()) {
          return Status::InvalidArgument("role '", role_name, "', operation '", op_name, "' takes true or false");
        }
        if (v.get<bool>()) allow[op_name] = kPs | kNps;
      }
    }
  }
  // Vendor support never touches plate data (policy 5.B), whatever a replaced file says.
  for (const auto& op : m.operations_) {
    if (op.scoped && m.allow_[Role::kVendorSupport].count(op.name)) {
      return Status::InvalidArgument("vendor_support may not be allowed '", op.name,
                                     "': vendor staff get administrative functions only (policy 5.B)");
    }
  }
  return m;
}

Result<PermissionMatrix> PermissionMatrix::Load(const std::string& file) {
  return LoadFile<PermissionMatrix>(file);
}

const PermissionMatrix& PermissionMatrix::Default() {
  return Builtin<PermissionMatrix>(BuiltinRolesJson());
}

bool PermissionMatrix::Known(std::string_view op) const {
  return std::any_of(operations_.begin(), operations_.end(), [&](const Operation& o) { return o.name == op; });
}

bool PermissionMatrix::Scoped(std::string_view op) const {
  for (const auto& o : operations_) {
    if (o.name == op) return o.scoped;
  }
  return false;
}

bool PermissionMatrix::Allows(Role role, std::string_view op, std::optional<store::DataClass> data_class) const {
  if (!Known(op)) return false;
  auto r = allow_.find(role);
  if (r == allow_.end()) return false;
  auto o = r->second.find(op);
  if (o == r->second.end()) return false;
  if (!Scoped(op)) return true;
  if (!data_class) return false;
  return (o->second & ClassBit(*data_class)) != 0;
}

std::vector<store::DataClass> PermissionMatrix::ClassesFor(Role role, std::string_view op) const {
  std::vector<store::DataClass> out;
  for (auto c : {store::DataClass::kPublicSafety, store::DataClass::kNonPublicSafety}) {
    if (Allows(role, op, c)) out.push_back(c);
  }
  return out;
}

bool PermissionMatrix::AllowsAny(Role role, std::string_view op) const {
  return Scoped(op) ? !ClassesFor(role, op).empty() : Allows(role, op);
}

std::vector<std::string> PermissionMatrix::Permissions(Role role) const {
  std::vector<std::string> out;
  for (const auto& op : operations_) {
    if (op.scoped) {
      for (auto c : ClassesFor(role, op.name)) out.push_back(op.name + ":" + std::string(store::DataClassName(c)));
    } else if (Allows(role, op.name)) {
      out.push_back(op.name);
    }
  }
  return out;
}

std::string_view PermissionMatrix::RoleTitle(Role role) const {
  auto it = titles_.find(role);
  return it == titles_.end() ? RoleName(role) : std::string_view(it->second);
}

std::string PermissionMatrix::Describe() const {
  std::ostringstream out;
  size_t w = 24;
  out << std::string(w, ' ');
  for (Role r : kAllRoles) out << " " << RoleName(r);
  out << "\n";
  for (const auto& op : operations_) {
    std::string name = op.name;
    name.resize(std::max(w, name.size()), ' ');
    out << name;
    for (Role r : kAllRoles) {
      std::string cell;
      if (op.scoped) {
        bool ps = Allows(r, op.name, store::DataClass::kPublicSafety);
        bool nps = Allows(r, op.name, store::DataClass::kNonPublicSafety);
        cell = ps && nps ? "PS+NPS" : ps ? "PS" : nps ? "NPS" : "-";
      } else {
        cell = Allows(r, op.name) ? "yes" : "-";
      }
      std::string col(RoleName(r));
      cell.resize(std::max(col.size(), cell.size()), ' ');
      out << " " << cell;
    }
    out << "\n";
  }
  out << "\nPS: public-safety data; NPS: non-public-safety data; -: denied (deny by default).\n";
  return out.str();
}

Result<PurposeList> PurposeList::Parse(std::string_view text) {
  CUSTODIAN_ASSIGN_OR_RETURN(json j, ParseJson(text, "the purpose list"));
  PurposeList p;
  for (const char* key : {"allowed", "forbidden"}) {
    if (!j.contains(key) || !j[key].is_object()) {
      return Status::InvalidArgument("the purpose list needs an \"", key, "\" object of code: title");
    }
    auto& target = std::string_view(key) == "allowed" ? p.allowed_ : p.forbidden_;
    for (auto& [code, title] : j[key].items()) {
      if (!title.is_string()) return Status::InvalidArgument("purpose '", code, "' needs a title");
      target[code] = title.get<std::string>();
    }
  }
  if (p.allowed_.empty()) return Status::InvalidArgument("the purpose list allows no purpose");
  return p;
}

Result<PurposeList> PurposeList::Load(const std::string& file) {
  return LoadFile<PurposeList>(file);
}

const PurposeList& PurposeList::Default() {
  return Builtin<PurposeList>(BuiltinPurposesJson());
}

bool PurposeList::Forbidden(std::string_view purpose) const { return forbidden_.count(purpose) > 0; }

Status PurposeList::Check(std::string_view purpose, std::string_view case_number) const {
  if (purpose.empty()) return Status::InvalidArgument("a purpose is required for every query of plate data");
  if (Forbidden(purpose)) {
    return Status::PermissionDenied("purpose '", purpose, "' (", forbidden_.find(purpose)->second,
                                    ") is forbidden by agency policy");
  }
  if (!allowed_.count(purpose)) {
    std::string codes;
    for (const auto& [code, title] : allowed_) codes += (codes.empty() ? "" : ", ") + code;
    return Status::InvalidArgument("purpose '", purpose.substr(0, 60),
                                   "' is not a configured purpose code (free text is not accepted); codes are ", codes);
  }
  if (case_number.empty()) {
    return Status::InvalidArgument("a case or incident number is required for every query of plate data");
  }
  bool digit = false;
  bool ok = case_number.size() >= 3 && case_number.size() <= 40;
  for (char c : case_number) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '/' && c != '.' && c != '_' && c != ':') {
      ok = false;
    }
  }
  if (!ok || !digit) {
    return Status::InvalidArgument(
        "case number is 3..40 letters, digits and - / . _ : with at least one digit (e.g. 24-CR-0117)");
  }
  return Status::Ok();
}

}  // namespace custodian::policy
