// Prometheus metrics of the server: counters, the open-stream gauge, responses by status
// class and request latency by route group (no plate data). Internal.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace custodian::server::internal {

class Metrics {
 public:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  // One response of route group `group` ("/api/v1/reads", "/healthz" ...).
  void Observe(const std::string& group, int status, double seconds);
  std::atomic<int64_t> reads_ingested{0}, alerts_raised{0}, searches{0}, logons_ok{0}, logons_refused{0},
      purge_runs{0}, streams_open{0}, stream_wakes{0};
  // The Prometheus text exposition format (version 0.0.4).
  std::string Render();

 private:
  struct Hist {
    std::vector<int64_t> buckets;
    int64_t count = 0;
    double sum = 0;
  };
  std::mutex mu_;
  std::map<std::string, Hist> hist_;
  std::map<std::string, int64_t> responses_;
};

}  // namespace custodian::server::internal
