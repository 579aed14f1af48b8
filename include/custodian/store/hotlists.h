// Hotlists and the alerts their entries raise (policy 4.A.3: alerts are reviewed and
// acted on). Entries are matched against every read on arrival, and newly imported
// entries against recent reads (the retroactive window).
//
// Basic usage:
//   auto list = store->PutHotlist({.name = "ca-svs", .agency_code = "CITYPD",
//                                  .category = store::HotlistCategory::kStolenVehicle,
//                                  .fuzzy = true});
//   auto report = store->ImportHotlistEntries({.list = "ca-svs", .entries = parsed.entries,
//                                              .retro_window = std::chrono::hours(72)});
//   auto fresh = store->ListAlerts({.unreviewed_only = true});
//   (void)store->AcknowledgeAlert(id, "ofc.ng");
//   (void)store->ConfirmAlert(id, {.by = "ofc.ng", .image_checked = true, .action = "stopped vehicle"});
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/types.h"

namespace custodian::store {

// Entries per ImportHotlistEntries call; larger imports go in several calls.
inline constexpr size_t kMaxHotlistBatch = 10'000;
inline constexpr size_t kMaxHotlistReasonLength = 256;

enum class HotlistCategory {
  kStolenVehicle,
  kStolenPlate,
  kAmberMissingPerson,
  kWanted,
  kBolo,
  kParkingScofflawPermit,
};
// "stolen_vehicle", "stolen_plate", "amber_missing_person", "wanted", "bolo",
// "parking_scofflaw_permit".
std::string_view HotlistCategoryName(HotlistCategory c);
Result<HotlistCategory> ParseHotlistCategory(std::string_view name);

struct HotlistSpec {
  std::string name;         // unique; 1..kMaxIdLength bytes
  std::string agency_code;  // the owning agency; must exist
  HotlistCategory category = HotlistCategory::kStolenVehicle;
  // Also match reads whose plate shares the entry's OCR confusion key (0/O/D/Q ...).
  // Default: false (exact plates only).
  bool fuzzy = false;
};

struct Hotlist {
  int64_t id = 0;
  std::string name;
  std::string agency_code;
  HotlistCategory category = HotlistCategory::kStolenVehicle;
  bool fuzzy = false;
  int64_t entries = 0;
};

struct HotlistEntryInput {
  std::string plate;   // as listed; normalised like a read's plate
  std::string state;   // e.g. "CA"; empty matches a read from any state
  std::string reason;  // up to kMaxHotlistReasonLength bytes
  std::optional<TimePoint> expires;  // reads captured at or after it do not match
};

struct HotlistImport {
  std::string list;  // the hotlist's name; must exist
  // 1..kMaxHotlistBatch entries. An entry with the same plate and state as one already
  // on the list updates its reason and expiry.
  std::span<const HotlistEntryInput> entries;
  // Reads captured this long before now (up to now) are matched against the imported
  // entries too. 0 disables. Default: 72 hours.
  std::chrono::milliseconds retro_window = std::chrono::hours(72);
};

struct HotlistImportResult {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t retro_alerts = 0;  // alerts raised on reads already stored
};

enum class AlertState { kNew, kAcknowledged, kConfirmed, kDismissed };
// "new", "acknowledged", "confirmed", "dismissed".
std::string_view AlertStateName(AlertState s);
Result<AlertState> ParseAlertState(std::string_view name);

struct Alert {
  int64_t id = 0;
  AlertState state = AlertState::kNew;
  int64_t read_id = 0;
  TimePoint captured_at;     // the read's
  std::string read_plate;    // the read's normalised plate
  std::string read_region;
  std::string camera_id;
  int64_t hotlist_id = 0;
  std::string hotlist;       // its name
  HotlistCategory category = HotlistCategory::kStolenVehicle;
  std::string entry_plate;   // the hotlist entry's plate, state and reason
  std::string entry_state;
  std::string entry_reason;
  bool exact = true;         // false: matched through the OCR confusion key
  bool retroactive = false;  // raised by an import, not on arrival
  TimePoint created_at;
  std::string acknowledged_by;
  std::optional<TimePoint> acknowledged_at;
  std::string resolved_by;   // who confirmed or dismissed it
  std::optional<TimePoint> resolved_at;
  bool image_checked = false;  // confirmed: the plate image was compared with the entry
  std::string action;          // confirmed: the action taken; dismissed: why
};

struct AlertQuery {
  // Only alerts not yet confirmed or dismissed. Default: false.
  bool unreviewed_only = false;
  std::optional<AlertState> state;
  // Only alerts raised before this instant.
  std::optional<TimePoint> created_before;
  // Oldest first, 1..kMaxPageSize. Default: 100.
  int limit = 100;
  // Only alerts with a larger id (paging). Default: 0.
  int64_t after_id = 0;
  // Only alerts of these data classes (their read's); applied before the limit. Default:
  // empty, meaning every class.
  std::vector<DataClass> data_classes;
};

struct AlertConfirmation {
  std::string by;  // the user; 1..kMaxIdLength bytes
  // Must be true: confirming records that the plate image was checked against the
  // hotlist record (policy 4.A.3).
  bool image_checked = false;
  std::string action;  // the action taken; 1..kMaxHotlistReasonLength bytes
};

}  // namespace custodian::store
