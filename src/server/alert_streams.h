// Live alert streams (Server-Sent Events, GET /api/v1/alerts/stream): admission (per user
// and in all), one turn of a stream, and the wake-ups: a new alert (ingest, hotlist import,
// or another process, found by one poll while a stream is open), a session change, a stop.
// Internal.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "custodian/policy/governance.h"
#include "custodian/server/server.h"
#include "custodian/store/hotlists.h"
#include "server/metrics.h"

namespace custodian::server::internal {

// One open stream.
struct StreamState {
  std::string token, source;
  int64_t user_id = 0;
  bool sent_first = false;
  std::vector<store::Alert> initial;
  int64_t last_id = 0;  // alerts up to here were sent (or are not this user's)
  uint64_t gen = 0;     // the wake-up generation last seen
};

class AlertStreams {
 public:
  // `gov`, `options` and `metrics` must outlive this.
  AlertStreams(policy::Governance& gov, const ServerOptions& options, Metrics& metrics)
      : gov_(gov), options_(options), metrics_(metrics) {}

  // Reads the newest alert id and starts the watcher.
  void Start();
  // Streams close at their next turn and the watcher ends; Join waits for the watcher.
  void Stop();
  void Join();

  // A new stream of `user_id`: kOpened (counted, `*gen` set to the wake-up generation
  // now) unless the server (max_streams) or the user (max_streams_per_user) has as many
  // open as allowed. Each opened stream is closed with Close.
  enum class Admission { kOpened, kServerFull, kUserFull };
  Admission Open(int64_t user_id, uint64_t* gen);
  void Close(int64_t user_id);

  // The newest alert id known.
  int64_t newest() const { return newest_alert_.load(); }

  // One turn of a stream: false closes it.
  bool Step(StreamState& st, httplib::DataSink& sink);

  // A new alert may exist (ingest, hotlist import, or another process): one query for all
  // streams, which wake only when the newest id moved.
  void AlertsChanged();
  // Sessions may have ended (logout, an account change): streams re-check theirs now.
  void WakeStreams();

 private:
  // Alerts raised by other processes (the CLI's ingest, another node) reach open streams
  // through this one poll, made only while a stream is open.
  void WatchAlerts();

  policy::Governance& gov_;
  const ServerOptions& options_;
  Metrics& metrics_;
  std::atomic<bool> stopping_{false};
  std::mutex alerts_mu_;
  std::condition_variable alerts_cv_;
  uint64_t alerts_gen_ = 0;                 // under alerts_mu_
  int streams_total_ = 0;                   // under alerts_mu_
  std::map<int64_t, int> streams_by_user_;  // under alerts_mu_
  std::atomic<int64_t> newest_alert_{0};
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  std::thread watcher_;
};

}  // namespace custodian::server::internal
