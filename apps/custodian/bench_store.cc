// custodian bench store: the records store's speed on generated, realistic data.
//   custodian bench store --backend sqlite|postgres --reads N [--hotlist N] [--db URL] [--json]
// Generates reads with a fixed seed (hundreds of cameras over 2 agencies and both data
// classes, repeat vehicles with Zipf-skewed plate frequencies, capture times over the 30
// UTC days before today), imports a hotlist, ingests the reads in batches through the public
// ReadStore API (hotlist matching on), then measures encrypted image storage, exact /
// wildcard / fuzzy searches and the retention purge of one day, then of half the next
// (--search-only: only the searches, on a store an earlier run kept). The last line printed is one JSON
// object with the figures. SQLite uses a temporary folder under /tmp unless --db is given.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench_data.h"
#include "commands.h"
#include "custodian/policy/retention.h"
#include "custodian/store/read_store.h"

namespace custodian::app {
// A California-style plate: digit, three letters, three digits ("7ABC123").
std::string RandomPlate(std::mt19937_64& rng) {
  std::string p(7, ' ');
  p[0] = char('1' + rng() % 9);
  for (int i = 1; i < 4; ++i) p[size_t(i)] = char('A' + rng() % 26);
  for (int i = 4; i < 7; ++i) p[size_t(i)] = char('0' + rng() % 10);
  return p;
}

namespace {

struct StoreBenchArgs {
  std::string backend = "sqlite";
  int64_t reads = 100'000;
  int64_t hotlist = 1'000'000;
  std::string url;
  bool json = false;
  int cameras = 300;
  int images = 2'000;
  int image_kb = 20;
  int queries = 300;
  int batch = 1'000;
  int purge_batch = policy::PurgeOptions{}.batch_size;
  int wal_checkpoint_pages = store::StoreOptions{}.wal_checkpoint_pages;
  int cache_mib = store::StoreOptions{}.cache_mib;
  bool inline_checkpoints = false;
  int resident_mib = store::kServerResidentMib;  // as custodian serve runs the store
  bool search_only = false;
  uint64_t seed = 20261128;
  bool keep = false;
};

using SteadyClock = std::chrono::steady_clock;
double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// Rank r (0-based) drawn with probability proportional to 1 / (r + 1)^s.
class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(double(i + 1), s));
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return size_t(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()) % cdf_.size();
  }

 private:
  std::vector<double> cdf_;
};

double P99(std::vector<double> ms) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  size_t k = size_t(std::ceil(0.99 * double(ms.size()))) - 1;
  return ms[std::min(k, ms.size() - 1)];
}
double Median(std::vector<double> ms) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

int Fail(std::string_view what, const Status& st) {
  std::cerr << "custodian bench store: " << what << ": " << st.ToString() << "\n";
  return 1;
}

// An OCR look-alike of `plate`: its first confusable character swapped (0->O, 1->I ...).
std::string LookAlike(std::string plate) {
  static const std::pair<char, char> kSwaps[] = {{'0', 'O'}, {'O', '0'}, {'1', 'I'}, {'I', '1'}, {'8', 'B'},
                                                 {'B', '8'}, {'5', 'S'}, {'S', '5'}, {'2', 'Z'}, {'Z', '2'},
                                                 {'6', 'G'}, {'G', '6'}, {'D', '0'}, {'Q', '0'}, {'L', '1'}};
  for (char& c : plate) {
    for (auto [from, to] : kSwaps) {
      if (c == from) {
        c = to;
        return plate;
      }
    }
  }
  return plate;
}

// Four known characters of a 7-character plate, in one of five shapes.
constexpr size_t kWildcardShapes = 5;
std::string WildcardOf(const std::string& p, size_t shape) {
  switch (shape % kWildcardShapes) {
    case 0: return p.substr(0, 4) + "*";                 // known prefix "7ABC*"
    case 1: return "*" + p.substr(3);                    // known suffix "*C123"
    case 2: return "??" + p.substr(2, 4) + "?";          // known middle run "??BC12?"
    case 3: return p.substr(0, 2) + "??" + p.substr(4, 2) + "?";  // scattered "7A??12?"
    // Anchored only by a suffix of 2 (no prefix, no run of 3): "?A?C?23" (SQLite: a scan
    // of the distinct plates, since migration 12).
    default: return "?" + p.substr(1, 1) + "?" + p.substr(3, 1) + "?" + p.substr(5, 2);
  }
}

int RunStoreBench(const StoreBenchArgs& a) {
  auto say = [&](const std::string& line) {
    if (!a.json) std::cout << line << std::endl;
  };
  if (a.backend != "sqlite" && a.backend != "postgres") {
    return Fail("flags", Status::InvalidArgument("--backend is sqlite or postgres"));
  }
  if (a.backend == "postgres" && a.url.empty()) {
    return Fail("flags", Status::InvalidArgument("--backend postgres needs --db postgresql://..."));
  }
  if (a.search_only && a.url.empty()) {
    return Fail("flags", Status::InvalidArgument("--search-only needs --db, a store an earlier run filled (--keep)"));
  }
  std::string tmpl = "/tmp/custodian-bench-store-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return Fail("temp folder", Status::Unavailable("mkdtemp failed"));
  std::filesystem::path dir = tmpl;
  struct Cleanup {
    std::filesystem::path dir;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir, a.keep};
  std::string url = a.url.empty() ? "sqlite://" + (dir / "bench.db").string() : a.url;
  auto opened = store::OpenStore(url, {.image_dir = dir / "images",
                                       .key_file = dir / "image.key",
                                       .migrate = true,
                                       .wal_checkpoint_pages = a.wal_checkpoint_pages,
                                       .background_checkpoints = !a.inline_checkpoints,
                                       .cache_mib = a.cache_mib,
                                       .resident_mib = a.resident_mib});
  if (!opened.ok()) return Fail("open", opened.status());
  store::ReadStore& st = **opened;
  say("backend " + std::string(st.backend()) + ", " + url);

  std::mt19937_64 rng(a.seed);
  const TimePoint now = std::chrono::time_point_cast<std::chrono::milliseconds>(SystemClock::Default().Now());
  // From a UTC midnight: the first day of reads is one capture day, which the store keeps
  // apart (a PostgreSQL partition, a SQLite table), as the purge measured below expects.
  const TimePoint start = std::chrono::floor<std::chrono::days>(now) - std::chrono::days(30);
  const int64_t run_tag = ToUnixMillis(now);  // event ids unique per run (a reused database)

  // Agencies and cameras: one in four a parking camera of the second agency (non-public-safety).
  for (const auto& [code, name] : {std::pair{"BENCHPD", "Bench Police"}, std::pair{"BENCHPK", "Bench Parking"}}) {
    if (auto s = st.PutAgency({.code = code, .name = name}); !s.ok()) return Fail("agency", s);
  }
  std::vector<std::string> cams;
  for (int i = 0; i < a.cameras; ++i) {
    bool parking = i % 4 == 3;
    const int row = i / 100;  // cameras stand on a grid, 100 to a row
    store::Camera c{.id = "bench-cam-" + std::to_string(i),
                    .name = "Bench camera " + std::to_string(i),
                    .kind = parking ? store::CameraKind::kParking
                                    : (i % 4 == 2 ? store::CameraKind::kMobile : store::CameraKind::kFixed),
                    .location = store::GeoPoint{37.70 + 0.001 * (i % 100), -122.50 + 0.001 * row},
                    .heading_deg = double((i * 37) % 360),
                    .agency_code = parking ? "BENCHPK" : "BENCHPD",
                    .data_class = parking ? store::DataClass::kNonPublicSafety : store::DataClass::kPublicSafety};
    if (auto s = st.PutCamera(c); !s.ok()) return Fail("camera", s);
    cams.push_back(c.id);
  }

  // The vehicle population: about one distinct vehicle per five reads, Zipf-skewed.
  size_t vehicles = size_t(std::max<int64_t>(1'000, a.reads / 5));
  std::vector<std::string> plates(vehicles);
  std::vector<std::string> states(vehicles);
  for (size_t i = 0; i < vehicles; ++i) {
    plates[i] = RandomPlate(rng);
    uint64_t r = rng() % 100;
    states[i] = r < 90 ? "CA" : r < 95 ? "NV" : "AZ";
  }
  Zipf zipf(vehicles, 1.0);

  // Hotlist: 90% on an exact stolen-vehicle list, 10% on an OCR-tolerant BOLO list. About
  // one vehicle in 200 that drives past is on a list (chosen at random, so some are frequent
  // visitors); every other entry is a plate never seen.
  auto t0 = SteadyClock::now();
  int64_t hot_added = 0;
  for (const auto& [name, fuzzy] : {std::pair{"bench-svs", false}, std::pair{"bench-bolo", true}}) {
    auto h = st.PutHotlist({.name = name,
                            .agency_code = "BENCHPD",
                            .category = fuzzy ? store::HotlistCategory::kBolo : store::HotlistCategory::kStolenVehicle,
                            .fuzzy = fuzzy});
    if (!h.ok()) return Fail("hotlist", h.status());
    int64_t total = fuzzy ? a.hotlist / 10 : a.hotlist - a.hotlist / 10;
    std::vector<store::HotlistEntryInput> entries;
    for (int64_t done = 0; done < total;) {
      entries.clear();
      for (; done < total && entries.size() < store::kMaxHotlistBatch; ++done) {
        bool seen = done < int64_t(vehicles) / (fuzzy ? 2'000 : 222);
        size_t v = rng() % vehicles;
        entries.push_back({.plate = seen ? plates[v] : RandomPlate(rng),
                           .state = seen ? states[v] : "CA",
                           .reason = fuzzy ? "BOLO" : "CA DOJ SVS"});
      }
      if (a.search_only) continue;  // the entries are drawn all the same: the same plates follow
      auto r = st.ImportHotlistEntries({.list = name, .entries = entries, .retro_window = std::chrono::milliseconds(0)});
      if (!r.ok()) return Fail("hotlist import", r.status());
      hot_added += r->added + r->updated;
    }
  }
  double hotlist_s = SecondsSince(t0);
  say("hotlist: " + std::to_string(hot_added) + " entries in " + std::to_string(hotlist_s) + " s");

  // Reads, oldest first (cameras deliver in time order), in batches; generated per batch.
  std::vector<std::string> sample;  // plates as stored, for the queries
  size_t sample_every = size_t(std::max<int64_t>(1, a.reads / std::max(1, 4 * a.queries)));
  const int64_t span_ms = std::chrono::milliseconds(std::chrono::days(30)).count() - 60'000;
  int64_t alerts = 0;
  std::vector<store::ReadInput> batch;
  double ingest_s = 0;
  for (int64_t i = 0; i < a.reads;) {
    batch.clear();
    for (; i < a.reads && int64_t(batch.size()) < a.batch; ++i) {
      size_t v = zipf(rng);
      int64_t at = span_ms * i / std::max<int64_t>(1, a.reads) + int64_t(rng() % 1000);
      std::string plate = plates[v];
      if (rng() % 50 == 0) plate = LookAlike(plate);  // an OCR misread now and then
      store::ReadInput r{.event_id = "b" + std::to_string(run_tag) + "-" + std::to_string(i),
                         .camera_id = cams[rng() % cams.size()],
                         .captured_at = start + std::chrono::milliseconds(at),
                         .plate = plate,
                         .confidence = 0.6f + float(rng() % 40) / 100.0f,
                         .country = "us",
                         .region = states[v],
                         .box = store::Box{int(rng() % 1200), int(rng() % 600), 120, 40}};
      r.candidates.push_back({plate, r.confidence});
      if (size_t(i) % sample_every == 0) sample.push_back(plate);
      batch.push_back(std::move(r));
    }
    if (a.search_only) continue;
    auto t = SteadyClock::now();
    auto res = st.Ingest(batch);
    ingest_s += SecondsSince(t);
    if (!res.ok()) return Fail("ingest", res.status());
    for (const auto& x : *res) alerts += x.alerts;
    if (!a.json && a.reads >= 100'000 && i % (a.reads / 10) < a.batch) {
      std::cerr << "  ingested " << i << " reads, " << int64_t(double(i) / ingest_s) << " reads/s\n";
    }
  }
  double ingest_rate = a.search_only ? 0 : double(a.reads) / ingest_s;
  // How long the background checkpointer then takes to copy what it still had (reported,
  // not counted in the rates: no caller waits for it).
  auto timed_flush = [&st](double* seconds) {
    auto t = SteadyClock::now();
    Status f = st.Flush();
    *seconds = SecondsSince(t);
    return f;
  };
  double ingest_flush_s = 0;
  if (auto f = timed_flush(&ingest_flush_s); !f.ok()) return Fail("flush", f);
  say("ingest: " + std::to_string(a.reads) + " reads in " + std::to_string(ingest_s) + " s, " +
      std::to_string(int64_t(ingest_rate)) + " reads/s, " + std::to_string(alerts) + " alerts");

  // Encrypted image storage: distinct random images in batches of 100 (as ingest stores them).
  std::vector<std::vector<uint8_t>> imgs(size_t(a.search_only ? 0 : a.images), std::vector<uint8_t>(size_t(a.image_kb) * 1000));
  for (auto& img : imgs) {
    for (size_t k = 0; k + 8 <= img.size(); k += 8) {
      uint64_t x = rng();
      std::memcpy(img.data() + k, &x, 8);
    }
  }
  t0 = SteadyClock::now();
  for (size_t k = 0; k < imgs.size(); k += 100) {
    std::vector<std::span<const uint8_t>> spans;
    for (size_t j = k; j < std::min(imgs.size(), k + 100); ++j) spans.emplace_back(imgs[j]);
    auto r = st.images().PutMany(spans);
    if (!r.ok()) return Fail("images", r.status());
  }
  double image_s = SecondsSince(t0);
  double image_mb = double(a.images) * a.image_kb * 1000 / 1e6;
  double image_rate = a.search_only ? 0 : image_mb / image_s;
  say("images: " + std::to_string(a.images) + " x " + std::to_string(a.image_kb) + " kB in " +
      std::to_string(image_s) + " s, " + std::to_string(image_rate) + " MB/s");

  // Queries: plates sampled from the reads (so frequent vehicles come up more often).
  std::shuffle(sample.begin(), sample.end(), rng);
  if (sample.size() > size_t(a.queries)) sample.resize(size_t(a.queries));
  auto time_queries = [&](auto make_query, std::vector<double>* ms, int64_t* hits) -> Status {
    for (size_t k = 0; k < sample.size(); ++k) {
      store::SearchQuery q = make_query(k);
      auto t = SteadyClock::now();
      auto page = st.Search(q);
      ms->push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count());
      if (!page.ok()) return page.status();
      *hits += int64_t(page->reads.size());
    }
    return Status::Ok();
  };
  std::vector<double> exact_ms, wild_ms, fuzzy_ms, fuzzy1_ms;
  int64_t exact_hits = 0, wild_hits = 0, fuzzy_hits = 0, fuzzy1_hits = 0;
  std::vector<std::vector<double>> wild_shape_ms(kWildcardShapes);
  Status qs = time_queries(
      [&](size_t k) { return store::SearchQuery{.match = store::PlateMatch::kExact, .plate = sample[k]}; }, &exact_ms,
      &exact_hits);
  if (!qs.ok()) return Fail("exact search", qs);
  qs = time_queries(
      [&](size_t k) {
        return store::SearchQuery{.match = store::PlateMatch::kWildcard, .plate = WildcardOf(sample[k], k)};
      },
      &wild_ms, &wild_hits);
  if (!qs.ok()) return Fail("wildcard search", qs);
  for (size_t k = 0; k < wild_ms.size(); ++k) wild_shape_ms[k % kWildcardShapes].push_back(wild_ms[k]);
  qs = time_queries(
      [&](size_t k) { return store::SearchQuery{.match = store::PlateMatch::kFuzzy, .plate = LookAlike(sample[k])}; },
      &fuzzy_ms, &fuzzy_hits);
  if (!qs.ok()) return Fail("fuzzy search", qs);
  qs = time_queries(
      [&](size_t k) {
        return store::SearchQuery{.match = store::PlateMatch::kFuzzy, .plate = LookAlike(sample[k]), .extra_edits = 1};
      },
      &fuzzy1_ms, &fuzzy1_hits);
  if (!qs.ok()) return Fail("fuzzy search (one edit)", qs);
  // Cameras without a plate: in turn one camera's newest page, and two cameras within an
  // hour somewhere in the 30 days.
  std::vector<double> camera_ms;
  int64_t camera_hits = 0;
  qs = time_queries(
      [&](size_t k) {
        store::SearchQuery q{.match = store::PlateMatch::kAny, .camera_ids = {cams[rng() % cams.size()]}};
        if (k % 2) {
          q.camera_ids.push_back(cams[rng() % cams.size()]);
          q.from = start + std::chrono::milliseconds(int64_t(rng() % uint64_t(span_ms)));
          q.to = *q.from + std::chrono::hours(1);
        }
        return q;
      },
      &camera_ms, &camera_hits);
  if (!qs.ok()) return Fail("camera search", qs);
  say("exact: p99 " + std::to_string(P99(exact_ms)) + " ms; wildcard: p99 " + std::to_string(P99(wild_ms)) +
      " ms; fuzzy: p99 " + std::to_string(P99(fuzzy_ms)) + " ms; fuzzy+1 edit: p99 " +
      std::to_string(P99(fuzzy1_ms)) + " ms; cameras: p99 " + std::to_string(P99(camera_ms)) + " ms");

  // Purge one day: the retention purge run with a clock set so that exactly the oldest
  // capture day (UTC) of reads is past its period, as a daily purge just after midnight
  // finds it. Then the first half of the next day: a purge that runs during the day finds
  // its day only partly past, and deletes those reads one by one.
  auto rules = policy::RetentionPolicy::Make({});
  if (!rules.ok()) return Fail("retention", rules.status());
  FakeClock purge_clock(start + std::chrono::days(1) + rules->PeriodFor(store::DataClass::kPublicSafety));
  double purge_s = 0, purge_flush_s = 0, half_s = 0, half_flush_s = 0;
  int64_t purged_reads = 0, half_reads = 0;
  if (!a.search_only) {
    auto purge = [&](double* s, double* flush_s, int64_t* reads) -> Status {
      auto t = SteadyClock::now();
      auto purged = policy::RunPurge(st, *rules, purge_clock, {.batch_size = a.purge_batch, .run_by = "bench"});
      *s = SecondsSince(t);
      if (!purged.ok()) return purged.status();
      CUSTODIAN_RETURN_IF_ERROR(timed_flush(flush_s));
      *reads = purged->public_safety.reads + purged->non_public_safety.reads;
      return Status::Ok();
    };
    if (auto p = purge(&purge_s, &purge_flush_s, &purged_reads); !p.ok()) return Fail("purge", p);
    purge_clock.Advance(std::chrono::hours(12));
    if (auto p = purge(&half_s, &half_flush_s, &half_reads); !p.ok()) return Fail("purge", p);
  }
  say("purge one day: " + std::to_string(purged_reads) + " reads in " + std::to_string(purge_s) +
      " s (then " + std::to_string(purge_flush_s) + " s until the database file had it all)");
  say("purge half of the next day: " + std::to_string(half_reads) + " reads in " + std::to_string(half_s) +
      " s (then " + std::to_string(half_flush_s) + " s)");

  nlohmann::json j = {
      {"backend", std::string(st.backend())},
      {"reads", a.reads},
      {"cameras", a.cameras},
      {"vehicles", vehicles},
      {"hotlist", a.hotlist},
      {"hotlist_import_s", hotlist_s},
      {"alerts", alerts},
      {"ingest_s", ingest_s},
      {"ingest_reads_per_s", ingest_rate},
      {"ingest_flush_s", ingest_flush_s},
      {"purge_flush_s", purge_flush_s},
      {"images", a.images},
      {"image_kb", a.image_kb},
      {"image_mb_per_s", image_rate},
      {"queries", sample.size()},
      {"exact_p99_ms", P99(exact_ms)},
      {"exact_median_ms", Median(exact_ms)},
      {"wildcard_p99_ms", P99(wild_ms)},
      {"wildcard_median_ms", Median(wild_ms)},
      {"wildcard_prefix_p99_ms", P99(wild_shape_ms[0])},
      {"wildcard_suffix_p99_ms", P99(wild_shape_ms[1])},
      {"wildcard_middle_p99_ms", P99(wild_shape_ms[2])},
      {"wildcard_scattered_p99_ms", P99(wild_shape_ms[3])},
      {"wildcard_short_suffix_p99_ms", P99(wild_shape_ms[4])},
      {"fuzzy_p99_ms", P99(fuzzy_ms)},
      {"fuzzy_median_ms", Median(fuzzy_ms)},
      {"fuzzy_edit1_p99_ms", P99(fuzzy1_ms)},
      {"camera_p99_ms", P99(camera_ms)},
      {"camera_median_ms", Median(camera_ms)},
      {"purge_day_s", purge_s},
      {"purge_day_reads", purged_reads},
      {"purge_half_day_s", half_s},
      {"purge_half_day_reads", half_reads},
  };
  std::cout << j.dump() << std::endl;
  return 0;
}

}  // namespace

void RegisterBenchStore(CLI::App& app, Action* run) {
  CLI::App* bench = app.get_subcommand("bench");  // created by RegisterBenchVision
  auto [cmd, args] = AddSubcommand<StoreBenchArgs>(
      bench, "store", "Records store: ingest, image storage, search p99 and one day's purge on generated reads", run,
      RunStoreBench);
  cmd->add_option("--backend", args->backend, "sqlite or postgres")->capture_default_str()->check(
      CLI::IsMember({"sqlite", "postgres"}));
  cmd->add_option("--reads", args->reads, "Reads to generate and ingest")->required()->check(
      CLI::Range(int64_t(1000), int64_t(100'000'000)));
  cmd->add_option("--hotlist", args->hotlist, "Hotlist entries")->capture_default_str()->check(
      CLI::Range(int64_t(0), int64_t(100'000'000)));
  cmd->add_option("--db", args->url, "Store URL (required for postgres; default: a temporary SQLite file under /tmp)");
  cmd->add_flag("--json", args->json, "Print only the JSON line");
  cmd->add_option("--cameras", args->cameras, "Cameras")->capture_default_str()->check(CLI::Range(4, 100'000));
  cmd->add_option("--images", args->images, "Images for the image-storage phase")->capture_default_str()->check(
      CLI::Range(1, 1'000'000));
  cmd->add_option("--image-kb", args->image_kb, "Size of each image, kB")->capture_default_str()->check(
      CLI::Range(1, 10'000));
  cmd->add_option("--queries", args->queries, "Queries of each kind")->capture_default_str()->check(
      CLI::Range(1, 100'000));
  cmd->add_option("--wal-checkpoint-pages", args->wal_checkpoint_pages,
                  "SQLite: WAL pages between checkpoints (StoreOptions::wal_checkpoint_pages)")
      ->capture_default_str()
      ->check(CLI::Range(100, 1 << 20));
  cmd->add_flag("--inline-checkpoints", args->inline_checkpoints,
                "SQLite: the writer checkpoints in its own commits (StoreOptions::background_checkpoints off)");
  cmd->add_option("--purge-batch", args->purge_batch, "Reads deleted per purge transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, store::kMaxPurgeBatch));
  cmd->add_option("--batch", args->batch, "Reads per Ingest call")->capture_default_str()->check(
      CLI::Range(1, int(store::kMaxBatchSize)));
  cmd->add_option("--cache-mib", args->cache_mib, "SQLite: page cache per connection, MiB (StoreOptions::cache_mib)")
      ->capture_default_str()
      ->check(CLI::Range(16, 65536));
  cmd->add_option("--resident-mib", args->resident_mib,
                  "SQLite: database MiB kept mapped in memory, 0 off (StoreOptions::resident_mib)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_flag("--search-only", args->search_only,
                "Only the searches, on the store at --db that an earlier run with the same --reads, --hotlist "
                "and --seed filled and kept (--keep); ingest, image and purge figures are 0");
  cmd->add_option("--seed", args->seed, "Generator seed")->capture_default_str();
  cmd->add_flag("--keep", args->keep, "Keep the temporary folder");
}

}  // namespace custodian::app
