// custodian watch: read a camera's video (a file, a stream URL or a folder of images),
// follow each plate across frames and vote one read per pass.
//   custodian watch --source FILE_OR_URL [--country C] --print [--every-frame] [--end-after-ms N]
//   custodian watch --source FILE_OR_URL --camera ID --db URL [--outbox FILE]
//   custodian watch --source FILE_OR_URL --camera ID --server https://HOST:PORT [--ca FILE]
//                   (the camera's API key in $CUSTODIAN_CAMERA_KEY or --key-file FILE)
//   custodian watch --config FILE [--print]   (every camera of the file, one thread each)
// --print writes one JSON line per pass on stdout (plate, confidence, first_seen, last_seen,
// frames, direction, candidates, per-frame readings) and a summary on stderr; it needs no
// server and no config file. With --camera and --db each pass becomes a read of that camera
// (with its plate crop and frame), queued in the outbox (a file beside nothing else; it keeps
// what could not be delivered for the next run) and delivered into the store, or with
// --server to a Custodian server's camera ingest over HTTPS with the camera's key.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "custodian/store/read_store.h"
#include "custodian/watch/config.h"
#include "custodian/watch/outbox.h"
#include "store_flags.h"
#include "custodian/core/clock.h"
#include "custodian/core/utc_time.h"
#include "custodian/watch/watch.h"
#include "session.h"

namespace custodian::app {
namespace {

namespace fs = std::filesystem;

struct WatchArgs {
  EngineFlags engine;
  std::string source;
  bool print = false;
  bool every_frame = false;
  int end_after_ms = 1500;
  int min_frames = 2;
  std::string camera;
  StoreFlags store;
  std::string outbox = "custodian-watch-outbox.db";
  std::string server, key_file, ca;
  std::string config;
};

// The camera's API key: the first line of --key-file, else $CUSTODIAN_CAMERA_KEY (never a
// flag's value, which other users of the machine could read in the process list).
Result<std::string> CameraKey(const std::string& key_file) {
  std::string key;
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in || !std::getline(in, key)) return Status::InvalidArgument("cannot read the key file ", key_file);
  } else if (const char* env = std::getenv("CUSTODIAN_CAMERA_KEY"); env != nullptr) {
    key = env;
  }
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  if (key.empty()) {
    return Status::InvalidArgument("--server needs the camera's API key: --key-file FILE or $CUSTODIAN_CAMERA_KEY");
  }
  return key;
}

nlohmann::json PassJson(const vision::Pass& p, const std::string& direction_label = "") {
  nlohmann::json cands = nlohmann::json::array();
  for (const auto& c : p.voted.candidates) cands.push_back({{"plate", c.text}, {"confidence", c.confidence}});
  nlohmann::json readings = nlohmann::json::array();
  for (const auto& s : p.sightings) {
    readings.push_back({{"frame", s.frame}, {"plate", s.read.text}, {"confidence", s.read.confidence}});
  }
  return {{"plate", p.voted.text},
          {"confidence", p.voted.confidence},
          {"first_seen", FormatUtcTime(p.first_seen)},
          {"last_seen", FormatUtcTime(p.last_seen)},
          {"frames", p.voted.frames},
          {"direction", direction_label.empty() ? std::string(vision::DirectionName(p.direction)) : direction_label},
          {"candidates", cands},
          {"readings", readings}};
}

std::mutex g_out_mu;  // one line at a time on stdout and stderr from the cameras' threads

void Say(const std::string& line) {
  std::lock_guard lock(g_out_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
}

// One camera of a config file: its source, outbox and destination; returns when the source
// ends (a file or folder) and logs, never throws. A stream that fails is reopened after 1 s,
// doubling to 30 s, with one line each time.
bool RunCamera(const watch::WatchConfig& config, const watch::CameraConfig& cam, const vision::Engine& engine,
               store::ReadStore* store, bool print) {
  const std::string who = "watch: camera " + cam.id + ": ";
  auto session = engine.NewSession();
  if (!session.ok()) return Say(who + session.status().ToString()), false;
  watch::Outbox::Send send;
  if (!config.server.empty()) {
    auto key = CameraKey(cam.key_file);
    if (!key.ok()) return Say(who + key.status().ToString()), false;
    send = watch::ServerSender({.url = config.server, .api_key = *key, .ca_file = config.ca});
  } else {
    send = [store](std::span<const store::ReadInput> reads) { return store->Ingest(reads).status(); };
  }
  const fs::path outbox_file = config.outbox_dir / (cam.id + ".db");
  auto outbox = watch::Outbox::Open({.file = outbox_file, .clock = &SystemClock::Default()});
  if (!outbox.ok()) return Say(who + outbox.status().ToString()), false;
  auto deliver = [&]() {
    auto sent = (*outbox)->Deliver(send);
    if (!sent.ok()) Say(who + sent.status().ToString());
    const auto f = (*outbox)->figures();
    if (f.failures_in_a_row == 1) Say(who + "delivery failed; " + std::to_string(f.reads) + " reads wait in " + outbox_file.string());
    if ((*outbox)->near_full()) Say(who + "warning: the outbox " + outbox_file.string() + " is nearly full");
  };
  deliver();
  watch::RunOptions options;
  options.motion.region = cam.region;
  options.max_fps = cam.max_fps;
  options.tracker.end_after = std::chrono::milliseconds(config.end_after_ms);
  options.tracker.min_frames = 2;
  const bool live = cam.source.find("://") != std::string::npos;
  auto backoff = std::chrono::seconds(1);
  bool source_ok = true;
  for (;;) {
    auto source = watch::OpenSource(cam.source, {.clock = &SystemClock::Default()});
    Result<watch::RunSummary> summary = source.status();
    if (source.ok()) {
      summary = watch::Run(**source, **session, options, [&](const vision::Pass& p, const vision::Image& frame) {
        if (print) {
          nlohmann::json j = PassJson(p, watch::DirectionLabel(cam, p.direction));
          j["camera"] = cam.id;
          std::lock_guard lock(g_out_mu);
          std::cout << j.dump() << std::endl;
        }
        if (p.voted.text.empty()) return;
        auto read = watch::ReadOfPass(p, frame, cam.id);
        Status st = read.ok() ? (*outbox)->Put(*read) : read.status();
        if (!st.ok()) Say(who + st.ToString());
        deliver();
      });
    }
    if (summary.ok()) {
      Say(who + std::to_string(summary->frames) + " frames, " + std::to_string(summary->analysed) + " analysed, " +
          std::to_string(summary->bad_frames) + " unreadable, " + std::to_string(summary->passes) + " reads");
      if (!live) break;
      backoff = std::chrono::seconds(1);
    } else {
      Say(who + summary.status().ToString());
      if (!live) {
        source_ok = false;
        break;
      }
    }
    Say(who + "reconnecting in " + std::to_string(backoff.count()) + " s");
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::seconds(30));
  }
  deliver();
  const auto left = (*outbox)->figures();
  if (left.reads > 0) Say(who + std::to_string(left.reads) + " reads wait in " + outbox_file.string());
  return source_ok && left.reads == 0;
}

int RunConfigured(const WatchArgs& a) {
  auto config = watch::LoadWatchConfig(a.config);
  if (!config.ok()) return FailWith("watch", config.status());
  std::unique_ptr<store::ReadStore> store;
  if (!config->db.empty()) {
    auto st = OpenStoreFromFlags({.url = config->db});
    if (!st.ok()) return FailWith("watch", st.status());
    store = std::move(*st);
  }
  // One engine per country profile the cameras name; a session per camera.
  std::map<std::string, std::shared_ptr<const vision::Engine>> engines;
  for (const auto& cam : config->cameras) {
    if (engines.count(cam.country)) continue;
    EngineFlags flags = a.engine;
    flags.country = cam.country;
    if (!config->models.empty()) flags.models = config->models;
    auto es = OpenEngineSession(ToEngineOptions(flags));
    if (!es.ok()) return FailWith("watch", Status(es.status().code(), "camera " + cam.id + ": " + es.status().message()));
    engines[cam.country] = es->engine;
  }
  std::vector<std::thread> threads;
  std::vector<char> ok(config->cameras.size(), 0);
  for (size_t i = 0; i < config->cameras.size(); ++i) {
    threads.emplace_back([&, i] {
      const auto& cam = config->cameras[i];
      ok[i] = RunCamera(*config, cam, *engines.at(cam.country), store.get(), a.print) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  for (char c : ok) {
    if (!c) return 1;
  }
  return 0;
}

int RunWatch(const WatchArgs& a) {
  if (!a.config.empty()) return RunConfigured(a);
  if (a.source.empty()) return FailWith("watch", Status::InvalidArgument("name a --source, or a --config file"));
  const bool to_store = !a.camera.empty();
  if (!a.print && !to_store) {
    return FailWith("watch", Status::InvalidArgument("say where reads go: --print, or --camera ID with --db URL"));
  }
  std::unique_ptr<store::ReadStore> store;
  std::unique_ptr<watch::Outbox> outbox;
  watch::Outbox::Send send;
  if (to_store && !a.server.empty()) {
    auto key = CameraKey(a.key_file);
    if (!key.ok()) return FailWith("watch", key.status());
    send = watch::ServerSender({.url = a.server, .api_key = *key, .ca_file = a.ca});
  } else if (to_store) {
    auto st = OpenStoreFromFlags(a.store);
    if (!st.ok()) return FailWith("watch", st.status());
    store = std::move(*st);
    send = [&store](std::span<const store::ReadInput> reads) { return store->Ingest(reads).status(); };
  }
  if (to_store) {
    auto box = watch::Outbox::Open({.file = a.outbox, .clock = &SystemClock::Default()});
    if (!box.ok()) return FailWith("watch", box.status());
    outbox = std::move(*box);
  }
  auto deliver = [&]() -> Status {
    if (!outbox) return Status::Ok();
    auto sent = outbox->Deliver(send);
    if (!sent.ok()) return sent.status();
    if (outbox->near_full()) std::fprintf(stderr, "watch: warning: the outbox %s is nearly full\n", a.outbox.c_str());
    return Status::Ok();
  };
  // Reads the last run could not deliver go first.
  if (Status st = deliver(); !st.ok()) return FailWith("watch", st);
  auto es = OpenEngineSession(ToEngineOptions(a.engine));
  if (!es.ok()) return FailWith("watch", es.status());
  auto source = watch::OpenSource(a.source, {.clock = &SystemClock::Default()});
  if (!source.ok()) return FailWith("watch", source.status());
  watch::RunOptions options;
  options.every_frame = a.every_frame;
  options.tracker.end_after = std::chrono::milliseconds(a.end_after_ms);
  options.tracker.min_frames = a.min_frames;
  const vision::FormatBook& book = es->engine->formats();
  auto profiles = book.ProfilesFor(a.engine.country);
  if (profiles.ok() && !profiles->empty()) {
    options.tracker.fits_format = [&book, ps = *profiles](const std::string& text) {
      for (const vision::CountryProfile* p : ps) {
        if (book.Fit(*p, text).fits) return true;
      }
      return false;
    };
  }
  Status failed;
  auto summary = watch::Run(**source, *es->session, options, [&](const vision::Pass& p, const vision::Image& frame) {
    if (a.print) std::cout << PassJson(p).dump() << std::endl;
    if (!outbox || p.voted.text.empty()) return;
    auto read = watch::ReadOfPass(p, frame, a.camera);
    Status st = read.ok() ? outbox->Put(*read) : read.status();
    if (st.ok()) st = deliver();
    if (!st.ok()) {
      std::fprintf(stderr, "watch: %s\n", st.ToString().c_str());
      if (failed.ok()) failed = st;
    }
  });
  if (!summary.ok()) return FailWith("watch", summary.status());
  if (Status st = deliver(); !st.ok() && failed.ok()) failed = st;
  std::fprintf(stderr, "watch: %lld frames, %lld analysed, %lld unreadable, %lld reads, engine %.0f ms\n",
               static_cast<long long>(summary->frames), static_cast<long long>(summary->analysed),
               static_cast<long long>(summary->bad_frames), static_cast<long long>(summary->passes),
               summary->engine_ms);
  if (outbox) {
    const auto left = outbox->figures();
    if (left.reads > 0) {
      std::fprintf(stderr, "watch: %lld reads wait in the outbox %s for the next run\n",
                   static_cast<long long>(left.reads), a.outbox.c_str());
      return 1;
    }
  }
  if (!failed.ok()) return FailWith("watch", failed);
  return 0;
}

}  // namespace

void RegisterWatch(CLI::App& app, Action* run) {
  auto [cmd, a] = AddSubcommand<WatchArgs>(
      &app, "watch", "Read plates in video: follow each vehicle, vote one read per pass", run, RunWatch);
  AddEngineFlags(cmd, &a->engine);
  cmd->add_option("--source", a->source, "A video file, a stream URL (rtsp://, http://) or a folder of images");
  cmd->add_option("--config", a->config, "Every camera of this file (docs/configuration.md), one thread each");
  cmd->add_flag("--print", a->print, "One JSON line per read on stdout (no server, no config file)");
  cmd->add_option("--camera", a->camera, "Each pass is a read of this camera (with --db or --server)");
  cmd->add_option("--server", a->server, "Deliver to this Custodian server (https://HOST:PORT) instead of --db");
  cmd->add_option("--key-file", a->key_file, "With --server: a file holding the camera's API key");
  cmd->add_option("--ca", a->ca, "With --server: trust this certificate (PEM), e.g. the server's self-signed one");
  AddStoreFlags(cmd, &a->store);
  cmd->add_option("--outbox", a->outbox, "The outbox file: reads wait here until the store has them")
      ->capture_default_str();
  cmd->add_flag("--every-frame", a->every_frame, "Run the engine on every frame (the motion gate off)");
  cmd->add_option("--end-after-ms", a->end_after_ms, "A track ends when its plate is unseen this long")
      ->capture_default_str()
      ->check(CLI::Range(40, 600'000));
  cmd->add_option("--min-frames", a->min_frames, "Passes read in fewer frames are dropped as noise")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
}

}  // namespace custodian::app
