// Prometheus metrics of the server.
#include "server/metrics.h"

#include <iterator>
#include <sstream>

namespace custodian::server::internal {

void Metrics::Observe(const std::string& group, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto& h = hist_[group];
  if (h.buckets.empty()) h.buckets.assign(std::size(kBuckets), 0);
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
  ++responses_[std::to_string(status / 100) + "xx"];
}

std::string Metrics::Render() {
  std::ostringstream o;
  auto counter = [&](const char* name, const char* help, int64_t v) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << v << "\n";
  };
  counter("custodian_reads_ingested_total", "Reads ingested through the API.", reads_ingested);
  counter("custodian_alerts_raised_total", "Hotlist alerts raised on ingest.", alerts_raised);
  counter("custodian_searches_total", "Plate searches answered.", searches);
  counter("custodian_logons_total", "Successful logons.", logons_ok);
  counter("custodian_logons_refused_total", "Refused logons.", logons_refused);
  counter("custodian_purge_runs_total", "Retention purge runs started through the API.", purge_runs);
  counter("custodian_alert_stream_wakes_total", "Wake-ups of live alert streams (each re-checks its session).",
          stream_wakes);
  o << "# HELP custodian_alert_streams Live alert streams open.\n# TYPE custodian_alert_streams gauge\n"
    << "custodian_alert_streams " << streams_open << "\n";
  std::lock_guard lock(mu_);
  o << "# HELP custodian_http_responses_total Responses by status class.\n"
       "# TYPE custodian_http_responses_total counter\n";
  for (const auto& [k, v] : responses_) o << "custodian_http_responses_total{class=\"" << k << "\"} " << v << "\n";
  o << "# HELP custodian_http_request_seconds Request latency by route group.\n"
       "# TYPE custodian_http_request_seconds histogram\n";
  for (const auto& [g, h] : hist_) {
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      o << "custodian_http_request_seconds_bucket{route=\"" << g << "\",le=\"" << kBuckets[i] << "\"} "
        << h.buckets[i] << "\n";
    }
    o << "custodian_http_request_seconds_bucket{route=\"" << g << "\",le=\"+Inf\"} " << h.count << "\n";
    o << "custodian_http_request_seconds_sum{route=\"" << g << "\"} " << h.sum << "\n";
    o << "custodian_http_request_seconds_count{route=\"" << g << "\"} " << h.count << "\n";
  }
  return o.str();
}

}  // namespace custodian::server::internal
