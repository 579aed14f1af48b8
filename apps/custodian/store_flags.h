// Flags and helpers shared by the subcommands that open the records store
// (retention, hold): --db (or $CUSTODIAN_DB), --images, --key; UTC times as text.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/read_store.h"

namespace custodian::app {

struct StoreFlags {
  std::string url;     // --db; default $CUSTODIAN_DB
  std::string images;  // --images; default: images beside a SQLite file
  std::string key;     // --key; default: image.key beside the image folder
};

void AddStoreFlags(CLI::App* cmd, StoreFlags* flags);

// The store's URL: `flag` (--db), else $CUSTODIAN_DB. kInvalidArgument ("no database; ...")
// when neither names one.
Result<std::string> StoreUrl(const std::string& flag);

// Opens the store named by the flags, never creating a key or migrating.
// kInvalidArgument when neither --db nor $CUSTODIAN_DB names one.
Result<std::unique_ptr<store::ReadStore>> OpenStoreFromFlags(const StoreFlags& flags);

// "2026-01-01T00:00:00Z".
std::string FormatUtc(TimePoint t);
// Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight UTC). kInvalidArgument otherwise.
Result<TimePoint> ParseUtc(std::string_view text);

}  // namespace custodian::app
