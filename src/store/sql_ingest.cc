// Ingest: validation, group commit, hotlist matching on arrival.
#include "store/sql_common.h"


#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "custodian/store/plate_key.h"

namespace custodian::store::internal {
namespace {

Status WithIndex(size_t i, const Status& st) {
  if (st.ok()) return st;
  return Status(st.code(), "read " + std::to_string(i) + ": " + st.message());
}

std::string CandidatesJson(const std::vector<Candidate>& cs) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cs) j.push_back({{"plate", c.plate}, {"confidence", c.confidence}});
  return j.dump();
}

// A read checked and reduced to the values the row stores.
struct PreparedRead {
  std::string plate;
  std::string confusion_key;
  std::string candidates_json;
  std::string crop_sha;
  std::string frame_sha;
};

// How far ahead of the store's clock a capture time may be (camera clock skew). Further
// is refused: it is a broken clock, and on PostgreSQL each new day makes a partition.
constexpr int64_t kMaxFutureMs = kMsPerDay;

Status ValidateRead(const ReadInput& r, int64_t now_ms, PreparedRead* out) {
  CUSTODIAN_RETURN_IF_ERROR(CheckText("event id", r.event_id, kMaxIdLength, /*allow_empty=*/true));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("camera id", r.camera_id, kMaxIdLength, /*allow_empty=*/false));
  int64_t ms = ToUnixMillis(r.captured_at);
  if (ms < 0 || ms >= kMaxCaptureMs) return Status::InvalidArgument("capture time is outside 1970..2200");
  if (ms > now_ms + kMaxFutureMs) return Status::InvalidArgument("capture time is more than a day in the future");
  CUSTODIAN_RETURN_IF_ERROR(CheckText("plate", r.plate, kMaxRawPlateLength, /*allow_empty=*/false));
  CUSTODIAN_ASSIGN_OR_RETURN(out->plate, NormalisePlate(r.plate));
  out->confusion_key = ConfusionKey(out->plate);
  if (!(r.confidence >= 0 && r.confidence <= 1)) return Status::InvalidArgument("confidence is not in 0..1");
  if (r.candidates.size() > kMaxCandidates) {
    return Status::InvalidArgument(r.candidates.size(), " candidates; the limit is ", kMaxCandidates);
  }
  for (const auto& c : r.candidates) {
    CUSTODIAN_RETURN_IF_ERROR(CheckText("candidate plate", c.plate, kMaxRawPlateLength, /*allow_empty=*/false));
    if (!(c.confidence >= 0 && c.confidence <= 1)) return Status::InvalidArgument("candidate confidence is not in 0..1");
  }
  out->candidates_json = CandidatesJson(r.candidates);
  CUSTODIAN_RETURN_IF_ERROR(CheckText("country", r.country, kMaxRegionLength, /*allow_empty=*/true));
  CUSTODIAN_RETURN_IF_ERROR(CheckText("region", r.region, kMaxRegionLength, /*allow_empty=*/true));
  if (r.box && (r.box->x < 0 || r.box->y < 0 || r.box->width <= 0 || r.box->height <= 0 || r.box->x > 100'000 ||
                r.box->y > 100'000 || r.box->width > 100'000 || r.box->height > 100'000)) {
    return Status::InvalidArgument("plate box is not inside a frame");
  }
  if (r.location) CUSTODIAN_RETURN_IF_ERROR(CheckPoint("location", *r.location));
  if (r.plate_crop.size() > kMaxImageBytes || r.frame.size() > kMaxImageBytes) {
    return Status::InvalidArgument("image is larger than ", kMaxImageBytes, " bytes");
  }
  return Status::Ok();
}

// A hotlist entry as ingest matches it.
struct HotEntry {
  int64_t id;
  std::string plate;
  std::string state;
  std::optional<int64_t> expires_ms;
};

// The hotlist entries that may match a batch: those on any of its plates, and those on
// any of its confusion keys on a fuzzy list. Two indexed statements per 100 distinct
// keys instead of one probe per read.
struct BatchHotEntries {
  std::map<std::string, std::vector<HotEntry>, std::less<>> by_plate;
  std::map<std::string, std::vector<HotEntry>, std::less<>> fuzzy_by_key;
};

Result<BatchHotEntries> LoadHotEntries(SqlDriver& driver, const std::vector<std::string>& plates,
                                       const std::vector<std::string>& keys) {
  BatchHotEntries out;
  std::set<int64_t> seen;
  auto decode = [](const SqlRow& r) {
    HotEntry e{AsInt(r[0]), AsString(r[1]), AsString(r[3]), std::nullopt};
    if (!IsNull(r[4])) e.expires_ms = AsInt(r[4]);
    return e;
  };
  CUSTODIAN_ASSIGN_OR_RETURN(
      auto rows, SelectIn(driver,
                          "SELECT e.id, e.plate, e.confusion_key, e.state, e.expires_ms FROM hotlist_entries e "
                          "WHERE e.plate IN ",
                          "", plates));
  for (const auto& r : rows) {
    if (seen.insert(AsInt(r[0])).second) out.by_plate[AsString(r[1])].push_back(decode(r));
  }
  seen.clear();
  CUSTODIAN_ASSIGN_OR_RETURN(
      rows, SelectIn(driver,
                     "SELECT e.id, e.plate, e.confusion_key, e.state, e.expires_ms FROM hotlist_entries e "
                     "JOIN hotlists h ON h.id = e.hotlist_id WHERE e.confusion_key IN ",
                     " AND h.fuzzy = 1", keys));
  for (const auto& r : rows) {
    if (seen.insert(AsInt(r[0])).second) out.fuzzy_by_key[AsString(r[2])].push_back(decode(r));
  }
  return out;
}

// MatchRead over the entries LoadHotEntries found for the read's batch: an alert for each
// entry in force at the read's capture time that matches it. Returns how many.
Result<int> MatchReadInBatch(SqlDriver& driver, const BatchHotEntries& hot, const ReadKey& r, int64_t now_ms) {
  int n = 0;
  std::vector<int64_t> done;
  auto consider = [&](const HotEntry& e) -> Status {
    if (std::find(done.begin(), done.end(), e.id) != done.end()) return Status::Ok();
    done.push_back(e.id);
    if (e.expires_ms && *e.expires_ms <= r.captured_ms) return Status::Ok();
    if (!StatesMatch(e.state, r.region)) return Status::Ok();
    CUSTODIAN_ASSIGN_OR_RETURN(int added,
                               InsertAlert(driver, r, e.id, e.plate == r.plate, /*retroactive=*/false, now_ms));
    n += added;
    return Status::Ok();
  };
  if (auto it = hot.by_plate.find(r.plate); it != hot.by_plate.end()) {
    for (const auto& e : it->second) CUSTODIAN_RETURN_IF_ERROR(consider(e));
  }
  if (auto it = hot.fuzzy_by_key.find(r.confusion_key); it != hot.fuzzy_by_key.end()) {
    for (const auto& e : it->second) CUSTODIAN_RETURN_IF_ERROR(consider(e));
  }
  return n;
}

}  // namespace

// A caller's batch on its way into the database: checked, its cameras looked up and its
// images on disk before it joins a group commit (see RunIngestJob).
namespace {
struct CameraInfo {
  int64_t data_class = 0;
  SqlValue lat, lon;
};
}  // namespace

struct SqlReadStore::IngestJob {
  std::span<const ReadInput> batch;
  int64_t now_ms = 0;
  std::vector<PreparedRead> prepared;
  std::map<std::string, CameraInfo, std::less<>> cameras;
  std::vector<int64_t> days;
  std::vector<IngestResult> results;
  Status status;
};

Result<std::vector<IngestResult>> SqlReadStore::Ingest(std::span<const ReadInput> batch) {
  if (batch.size() > kMaxBatchSize) {
    return Status::InvalidArgument("batch of ", batch.size(), " reads; the limit is ", kMaxBatchSize);
  }
  IngestJob job;
  job.batch = batch;
  job.now_ms = ToUnixMillis(clock_->Now());
  job.prepared.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    CUSTODIAN_RETURN_IF_ERROR(WithIndex(i, ValidateRead(batch[i], job.now_ms, &job.prepared[i])));
  }
  std::set<int64_t> days;
  for (const ReadInput& r : batch) days.insert(ToUnixMillis(r.captured_at) / kMsPerDay);
  job.days.assign(days.begin(), days.end());
  // The cameras on a read connection (SQLite), not queued behind the writer's transactions.
  // One statement per 100 cameras, not one per camera.
  CUSTODIAN_RETURN_IF_ERROR(WithReader([&](SqlDriver& d) -> Status {
    std::set<std::string_view> ids;
    for (const ReadInput& r : batch) ids.insert(r.camera_id);
    CUSTODIAN_ASSIGN_OR_RETURN(
        auto rows, SelectIn(d, "SELECT id, data_class, lat, lon FROM cameras WHERE id IN ", "",
                            std::vector<std::string>(ids.begin(), ids.end())));
    for (const auto& row : rows) job.cameras[AsString(row[0])] = {AsInt(row[1]), row[2], row[3]};
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!job.cameras.count(batch[i].camera_id)) {
        return WithIndex(i, Status::NotFound("no camera '", batch[i].camera_id, "'"));
      }
    }
    return Status::Ok();
  }));

  // Images first, each durable on disk before any row that refers to it commits, and
  // listed in a pending journal before that: a crash between here and the commit leaves
  // files that the next open deletes (see PendingImageJournal). Outside the lock: other
  // calls need not wait for these fsyncs.
  std::vector<std::span<const uint8_t>> images;
  std::vector<std::string*> image_shas;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].plate_crop.empty()) {
      images.push_back(batch[i].plate_crop);
      image_shas.push_back(&job.prepared[i].crop_sha);
    }
    if (!batch[i].frame.empty()) {
      images.push_back(batch[i].frame);
      image_shas.push_back(&job.prepared[i].frame_sha);
    }
  }
  PendingImageJournal journal;
  if (!images.empty()) {
    std::vector<std::string> pending;
    pending.reserve(images.size());
    for (const auto& img : images) pending.push_back(ImageStore::Sha256Hex(img));
    CUSTODIAN_ASSIGN_OR_RETURN(journal, PendingImageJournal::Begin(images_->dir(), pending));
    CUSTODIAN_ASSIGN_OR_RETURN(auto shas, images_->PutMany(images));
    for (size_t k = 0; k < shas.size(); ++k) *image_shas[k] = std::move(shas[k]);
  }

  Status written = RunIngestJob(job);
  if (!written.ok()) return written;  // the journal stays: the next open deletes the images
  journal.Committed();
  return std::move(job.results);
}

// Group commit: callers that arrive while a transaction is being written queue up, and
// the next leader writes all of them in one transaction (one WAL sync instead of one per
// caller; each index page the batches share is written once). Every caller still returns
// only after the transaction that holds its reads has committed, so a read is durable
// before it is acknowledged. A group is at most kMaxGroupReads reads (or one batch, if
// larger): the writer is held for the whole group, and a search's access-log entry waits
// for it, so groups stay short (~5-15 ms) however many cameras are queued.
Status SqlReadStore::RunIngestJob(IngestJob& job) {
  constexpr size_t kMaxGroupReads = 200;
  ingest_group_.Run(job, kMaxGroupReads, [](const IngestJob& j) { return j.batch.size(); },
                    [this](std::vector<IngestJob*>& jobs) { WriteIngestGroup(jobs); });
  return job.status;
}

// One transaction for the whole group. Should it fail, each batch is written again on its
// own, so that one caller's failure is that caller's alone: a batch commits all of its
// reads or none of them.
void SqlReadStore::WriteIngestGroup(std::vector<IngestJob*>& jobs) {
  std::lock_guard lock(mu_);
  std::vector<IngestJob*> live;
  for (IngestJob* job : jobs) {
    job->status = layout_->EnsureReadPartitions(*driver_, job->days);
    if (job->status.ok()) live.push_back(job);
  }
  if (live.empty()) return;
  // The new plates' index rows that are cheaper together are written last, in one
  // statement (see PendingTrigrams).
  auto write = [this](std::span<IngestJob* const> group) {
    return InTransaction([&]() -> Status {
      PendingTrigrams trigrams;
      for (IngestJob* job : group) CUSTODIAN_RETURN_IF_ERROR(WriteIngestJob(*job, trigrams));
      return layout_->FlushPlateIndex(*driver_, trigrams);
    });
  };
  Status group = write(live);
  if (group.ok() || live.size() == 1) {
    for (IngestJob* job : live) job->status = group;
    return;
  }
  for (IngestJob* job : live) job->status = write(std::span<IngestJob* const>(&job, 1));
}

// A batch's rows, inside the caller's transaction.
Status SqlReadStore::WriteIngestJob(IngestJob& job, PendingTrigrams& trigrams) {
  const std::span<const ReadInput> batch = job.batch;
  const std::vector<PreparedRead>& prepared = job.prepared;
  const int64_t now_ms = job.now_ms;
  std::vector<IngestResult>& results = job.results;
  results.assign(batch.size(), IngestResult{});
  {
    // Event ids seen before, and the hotlist entries the batch's plates may match: a few
    // statements for the whole batch, not probes per read. With one writer at a time, only
    // the plates and keys some hotlist holds are looked up (RefreshHotlistFilter).
    const bool filter = layout_->OneWriterAtATime();
    if (filter) CUSTODIAN_RETURN_IF_ERROR(RefreshHotlistFilter());
    std::vector<std::string> plates, hot_plates, hot_keys;
    {
      std::unordered_set<std::string_view> pl, k;
      pl.reserve(batch.size());
      k.reserve(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        const std::string& plate = prepared[i].plate;
        const std::string& key = prepared[i].confusion_key;
        if (pl.insert(plate).second) {
          plates.push_back(plate);
          if (!filter || hot_plates_.MayContain(plate)) hot_plates.push_back(plate);
        }
        if (k.insert(key).second && (!filter || hot_fuzzy_keys_.MayContain(key))) hot_keys.push_back(key);
      }
    }
    // Reads stored before with the batch's event ids, by (scope, event id, camera): an event
    // id is a camera's own, so two cameras' reads with one event id are two reads; a retry is
    // the same read. The layout makes room for the others (SQLite: their days' tables).
    auto event_key = [&](const ReadInput& r) {
      return EventKey(layout_->EventScope(ToUnixMillis(r.captured_at)), r.event_id, r.camera_id);
    };
    CUSTODIAN_ASSIGN_OR_RETURN(const KnownEvents known_events, layout_->FindStoredEvents(*driver_, batch));
    CUSTODIAN_ASSIGN_OR_RETURN(BatchHotEntries hot, LoadHotEntries(*driver_, hot_plates, hot_keys));
    // Plates already indexed: a read of one of them adds nothing to the plate index (unless
    // it is older than the plate's first day, which it then lowers).
    CUSTODIAN_ASSIGN_OR_RETURN(auto indexed, layout_->IndexedPlates(*driver_, plates));
    const std::unique_ptr<ReadWriter> writer = layout_->NewReadWriter(*driver_);
    std::unordered_map<std::string, int64_t> in_batch;  // camera + '\n' + event id
    in_batch.reserve(batch.size());
    std::vector<SqlValue> values;
    for (size_t i = 0; i < batch.size(); ++i) {
      const ReadInput& r = batch[i];
      const PreparedRead& p = prepared[i];
      if (!r.event_id.empty()) {
        if (auto it = in_batch.find(r.camera_id + '\n' + r.event_id); it != in_batch.end()) {
          results[i] = {it->second, true};
          continue;
        }
        if (!known_events.empty()) {
          if (auto it = known_events.find(event_key(r)); it != known_events.end()) {
            results[i] = {it->second, true};
            continue;
          }
        }
      }
      for (const auto* img : {&r.plate_crop, &r.frame}) {
        if (img->empty()) continue;
        const std::string& sha = img == &r.plate_crop ? p.crop_sha : p.frame_sha;
        CUSTODIAN_RETURN_IF_ERROR(driver_
                                      ->Query("INSERT INTO images (sha256, size, refs, created_ms) VALUES (?, ?, 1, ?) "
                                              "ON CONFLICT (sha256) DO UPDATE SET refs = images.refs + 1",
                                              {sha, int64_t(img->size()), now_ms})
                                      .status());
      }
      const CameraInfo& cam = job.cameras.find(r.camera_id)->second;
      SqlValue lat = r.location ? SqlValue(r.location->lat) : cam.lat;
      SqlValue lon = r.location ? SqlValue(r.location->lon) : cam.lon;
      if (IsNull(lat) || IsNull(lon)) lat = lon = SqlValue();
      auto box = [&](int v) { return r.box ? SqlValue(int64_t(v)) : SqlValue(); };
      auto opt_text = [](const std::string& s) { return s.empty() ? SqlValue() : SqlValue(s); };
      values.assign({
          opt_text(r.event_id), r.camera_id, ToUnixMillis(r.captured_at), now_ms, r.plate, p.plate,
          Reversed(p.plate), p.confusion_key, double(r.confidence), p.candidates_json, r.country, r.region,
          box(r.box ? r.box->x : 0), box(r.box ? r.box->y : 0), box(r.box ? r.box->width : 0),
          box(r.box ? r.box->height : 0), lat, lon, cam.data_class, opt_text(p.crop_sha), opt_text(p.frame_sha)});
      CUSTODIAN_ASSIGN_OR_RETURN(const int64_t id,
                                 writer->Insert(values, ToUnixMillis(r.captured_at), r.event_id, r.camera_id));
      results[i] = {id, false};
      const std::optional<int64_t> day = layout_->PlateDayOf(ToUnixMillis(r.captured_at));
      if (auto known = indexed.find(p.plate); known == indexed.end()) {
        CUSTODIAN_RETURN_IF_ERROR(layout_->IndexPlate(*driver_, p.plate, day, &trigrams));
        indexed.emplace(p.plate, day);
      } else if (day && known->second && *day < *known->second) {  // a late upload
        known->second = day;
        CUSTODIAN_RETURN_IF_ERROR(layout_->LowerFirstDay(*driver_, p.plate, *day));
      }
      if (hot.by_plate.count(p.plate) || hot.fuzzy_by_key.count(p.confusion_key)) {
        CUSTODIAN_ASSIGN_OR_RETURN(
            results[i].alerts,
            MatchReadInBatch(*driver_, hot,
                             {id, ToUnixMillis(r.captured_at), p.plate, p.confusion_key, r.region, cam.data_class},
                             now_ms));
      }
      if (!r.event_id.empty()) in_batch[r.camera_id + '\n' + r.event_id] = id;
    }
    return writer->Finish();
  }
}

// With one writer at a time (ReadLayout::OneWriterAtATime: SQLite): the plates of every
// hotlist entry and the confusion keys of those on fuzzy lists, in memory, so that a batch
// looks up only the plates that may match: with a 1,000,000-entry hotlist, two index probes
// per read were ~4.5 us. Inside the ingest's write transaction (no hotlist change can
// commit meanwhile),
// hotlist_version (bumped by triggers on every change to hotlists and their entries,
// migration 7) says whether the sets are still those of the database.
Status SqlReadStore::RefreshHotlistFilter() {
  CUSTODIAN_ASSIGN_OR_RETURN(auto v, driver_->Query("SELECT version FROM hotlist_version", {}));
  const int64_t version = v.empty() ? -1 : AsInt(v[0][0]);
  if (version == hot_filter_version_ && version >= 0) return Status::Ok();
  hot_plates_.Clear();
  hot_fuzzy_keys_.Clear();
  CUSTODIAN_ASSIGN_OR_RETURN(auto plates, driver_->Query("SELECT DISTINCT plate FROM hotlist_entries", {}));
  for (const auto& r : plates) hot_plates_.Insert(AsString(r[0]));
  CUSTODIAN_ASSIGN_OR_RETURN(auto keys, driver_->Query("SELECT DISTINCT e.confusion_key FROM hotlist_entries e JOIN "
                                                       "hotlists h ON h.id = e.hotlist_id WHERE h.fuzzy = 1",
                                                       {}));
  for (const auto& r : keys) hot_fuzzy_keys_.Insert(AsString(r[0]));
  hot_filter_version_ = version;
  return Status::Ok();
}

}  // namespace custodian::store::internal
