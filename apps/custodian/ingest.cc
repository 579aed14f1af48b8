// custodian ingest: plate reads as JSON lines on stdin into the records store.
//   custodian ingest --db URL [--images DIR] [--key FILE] [--batch N] [--camera ID:AGENCY]...
//   custodian ingest --db URL --check-acked FILE
// Each input line is one read in the one shape of a read (store::ReadFromJson,
// custodian/store/read_json.h; docs/read-format.md), with "event_id" and "camera_id"
// required: {"event_id", "camera_id", "captured_at" ("2026-01-01T00:00:00Z"), "plate",
// "confidence", optional "region", "country", "candidates", "box", "location", "plate_crop"
// and "frame" (base64 image bytes)}. Two things only this command reads: "crop_file" and
// "frame_file", paths whose bytes are the images (instead of "plate_crop" / "frame"), and
// the deprecated names "crop_b64" / "frame_b64" for "plate_crop" / "frame".
// Reads are ingested in batches of --batch (default 100); after a batch commits (synced:
// it survives a crash) one line per read is printed and flushed:
//   {"line": N, "event_id": "...", "id": 42, "duplicate": false}
// A line that is not a valid read gets one line on stderr naming its line number; the
// rest continue, and the exit status is 1. --camera ID:AGENCY creates a fixed
// public-safety camera (and its agency, named by its code, when absent) unless the camera
// exists (for tests and first imports).
// --check-acked reads such ack lines back and checks, without writing, that each acked
// read is stored under its event id and that no event id is stored twice.
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.h"
#include "custodian/store/read_json.h"
#include "store_flags.h"

namespace custodian::app {
namespace {

struct IngestArgs {
  StoreFlags store;
  int batch = 100;
  std::vector<std::string> cameras;
  std::string check_acked;
};

int Fail(const Status& st) {
  std::cerr << "custodian ingest: " << st.ToString() << "\n";
  return 1;
}

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open ", path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The bytes of the file `j[file_key]` names (erased from `j`), or nullopt when it names none.
// A line may give an image as a file or inline (`key`, or its deprecated name `old_key`), not both.
Result<std::optional<std::vector<uint8_t>>> ImageFile(nlohmann::json& j, const char* file_key, const char* key,
                                                      const char* old_key) {
  if (!j.contains(file_key) || j[file_key].is_null()) return std::optional<std::vector<uint8_t>>();
  if (!j[file_key].is_string()) return Status::InvalidArgument("field '", file_key, "' must be a string (a path)");
  for (const char* inline_key : {key, old_key}) {
    if (j.contains(inline_key) && !j[inline_key].is_null()) {
      return Status::InvalidArgument("give '", file_key, "' or '", inline_key, "', not both");
    }
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto bytes, ReadFileBytes(j[file_key].get<std::string>()));
  j.erase(file_key);
  return std::optional<std::vector<uint8_t>>(std::move(bytes));
}

Result<store::ReadInput> ParseReadLine(const std::string& line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  for (const char* key : {"event_id", "camera_id"}) {
    if (!j.contains(key) || j[key].is_null()) return Status::InvalidArgument("missing field '", key, "'");
  }
  CUSTODIAN_ASSIGN_OR_RETURN(auto crop, ImageFile(j, "crop_file", "plate_crop", "crop_b64"));
  CUSTODIAN_ASSIGN_OR_RETURN(auto frame, ImageFile(j, "frame_file", "frame", "frame_b64"));
  CUSTODIAN_ASSIGN_OR_RETURN(store::ReadInput r, store::ReadFromJson(j, {.deprecated_image_names = true}));
  if (crop) r.plate_crop = std::move(*crop);
  if (frame) r.frame = std::move(*frame);
  return r;
}

void PrintAck(int64_t line, const std::string& event_id, const store::IngestResult& res) {
  nlohmann::json j = {{"line", line}, {"event_id", event_id}, {"id", res.read_id}, {"duplicate", res.duplicate}};
  std::cout << j.dump() << "\n";
}

void PrintLineError(int64_t line, const Status& st) {
  std::cerr << "custodian ingest: line " << line << ": " << st.ToString() << "\n";
}

// Ingests `batch` (input lines `lines`) and prints the acks once it has committed. A batch
// refused for one bad read goes again read by read, so only that line fails.
bool IngestBatch(store::ReadStore& st, const std::vector<store::ReadInput>& batch, const std::vector<int64_t>& lines) {
  if (batch.empty()) return true;
  auto res = st.Ingest(batch);
  if (res.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) PrintAck(lines[i], batch[i].event_id, (*res)[i]);
    std::cout.flush();
    return true;
  }
  bool ok = true;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto one = st.IngestOne(batch[i]);
    if (!one.ok()) {
      PrintLineError(lines[i], one.status());
      ok = false;
      continue;
    }
    PrintAck(lines[i], batch[i].event_id, *one);
    std::cout.flush();
  }
  return ok;
}

Result<std::unique_ptr<store::ReadStore>> OpenForIngest(const StoreFlags& f) {
  std::string url = f.url;
  if (url.empty()) {
    if (const char* env = std::getenv("CUSTODIAN_DB"); env != nullptr) url = env;
  }
  if (url.empty()) return Status::InvalidArgument("no database; give --db URL or set CUSTODIAN_DB");
  // The first ingest into a fresh store makes the image key.
  return store::OpenStore(url, {.image_dir = f.images, .key_file = f.key, .create_key = true});
}

int RunCheckAcked(store::ReadStore& st, const std::string& file) {
  std::ifstream in(file);
  if (!in) return Fail(Status::NotFound("cannot open ", file));
  std::string line;
  int64_t acked = 0, present = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j.contains("event_id")) continue;  // a torn last line
    ++acked;
    auto read = st.GetRead(j["id"].get<int64_t>());
    if (read.ok() && read->event_id == j["event_id"].get<std::string>()) {
      ++present;
    } else {
      std::cerr << "acked read " << j["event_id"].get<std::string>() << " (id " << j["id"].get<int64_t>()
                << ") is not stored\n";
    }
  }
  std::map<std::string, int64_t> events;
  int64_t reads = 0;
  store::SearchQuery q{.match = store::PlateMatch::kAny, .limit = store::kMaxPageSize};
  for (;;) {
    auto page = st.Search(q);
    if (!page.ok()) return Fail(page.status());
    for (const auto& r : page->reads) {
      ++reads;
      if (!r.event_id.empty()) ++events[r.event_id];
    }
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  int64_t repeated = 0;
  for (const auto& [id, n] : events) repeated += n > 1 ? 1 : 0;
  std::cout << "acked: " << acked << "\npresent: " << present << "\nreads: " << reads
            << "\nrepeated event ids: " << repeated << "\n";
  return present == acked && repeated == 0 ? 0 : 1;
}

int RunIngest(const IngestArgs& a) {
  auto opened = OpenForIngest(a.store);
  if (!opened.ok()) return Fail(opened.status());
  store::ReadStore& st = **opened;
  if (!a.check_acked.empty()) return RunCheckAcked(st, a.check_acked);
  for (const auto& spec : a.cameras) {
    size_t colon = spec.find(':');
    if (colon == std::string::npos) return Fail(Status::InvalidArgument("--camera is ID:AGENCY, got ", spec));
    std::string id = spec.substr(0, colon), agency = spec.substr(colon + 1);
    if (st.GetCamera(id).ok()) continue;  // an existing camera (and its agency) is left as it is
    const store::Camera camera{.id = id, .name = id, .agency_code = agency};
    Status s = st.PutCamera(camera);
    if (s.code() == StatusCode::kNotFound) {  // no such agency yet
      s = st.PutAgency({.code = agency, .name = agency});
      if (s.ok()) s = st.PutCamera(camera);
    }
    if (!s.ok()) return Fail(s);
  }
  bool ok = true;
  std::vector<store::ReadInput> batch;
  std::vector<int64_t> lines;
  std::string line;
  int64_t n = 0;
  while (std::getline(std::cin, line)) {
    ++n;
    if (line.empty()) continue;
    auto r = ParseReadLine(line);
    if (!r.ok()) {
      PrintLineError(n, r.status());
      ok = false;
      continue;
    }
    batch.push_back(std::move(*r));
    lines.push_back(n);
    if (int(batch.size()) >= a.batch) {
      ok = IngestBatch(st, batch, lines) && ok;
      batch.clear();
      lines.clear();
    }
  }
  ok = IngestBatch(st, batch, lines) && ok;
  return ok ? 0 : 1;
}

}  // namespace

void RegisterIngest(CLI::App& app, Action* run) {
  auto [cmd, args] = AddSubcommand<IngestArgs>(
      &app, "ingest", "Ingest plate reads (JSON lines on stdin); print one ack per read", run, RunIngest);
  AddStoreFlags(cmd, &args->store);
  cmd->add_option("--batch", args->batch, "Reads per committed batch")
      ->capture_default_str()
      ->check(CLI::Range(1, int(store::kMaxBatchSize)));
  cmd->add_option("--camera", args->cameras, "ID:AGENCY: create this camera (and agency) first");
  cmd->add_option("--check-acked", args->check_acked,
                  "Check, without writing, that the reads acked in FILE are stored once each");
}

}  // namespace custodian::app
