// Live alert streams (Server-Sent Events).
#include "server/alert_streams.h"

#include <algorithm>

#include "custodian/policy/governed_ops.h"
#include "server/alert_json.h"

namespace custodian::server::internal {
namespace {

using json = nlohmann::json;

std::string AlertEvents(const std::vector<store::Alert>& batch, int64_t& last_id) {
  std::string out;
  for (const auto& a : batch) {
    last_id = std::max(last_id, a.id);
    out += "id: " + std::to_string(a.id) + "\nevent: alert\ndata: " +
           AlertJson(a).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
  }
  return out;
}

}  // namespace

void AlertStreams::Start() {
  auto newest = policy::NewestAlertId(gov_);
  if (newest.ok()) newest_alert_ = *newest;
  watcher_ = std::thread([this] { WatchAlerts(); });
}

void AlertStreams::Stop() {
  stopping_ = true;
  WakeStreams();
  watch_cv_.notify_all();
}

void AlertStreams::Join() {
  if (watcher_.joinable()) watcher_.join();
}

AlertStreams::Admission AlertStreams::Open(int64_t user_id, uint64_t* gen) {
  std::lock_guard lock(alerts_mu_);
  if (streams_total_ >= options_.max_streams || streams_by_user_[user_id] >= options_.max_streams_per_user) {
    return streams_total_ >= options_.max_streams ? Admission::kServerFull : Admission::kUserFull;
  }
  ++streams_total_;
  ++streams_by_user_[user_id];
  *gen = alerts_gen_;
  return Admission::kOpened;
}

void AlertStreams::Close(int64_t user_id) {
  std::lock_guard lock(alerts_mu_);
  --streams_total_;
  if (--streams_by_user_[user_id] <= 0) streams_by_user_.erase(user_id);
}

bool AlertStreams::Step(StreamState& st, httplib::DataSink& sink) {
  if (stopping_) return false;
  if (!st.sent_first) {
    st.sent_first = true;
    std::string out = "retry: 2000\n\n" + AlertEvents(st.initial, st.last_id);
    st.initial.clear();
    return sink.write(out.data(), out.size());
  }
  {
    std::unique_lock lock(alerts_mu_);
    alerts_cv_.wait_for(lock, options_.stream_wake, [&] { return stopping_.load() || alerts_gen_ != st.gen; });
    st.gen = alerts_gen_;
  }
  if (stopping_) return false;
  // The session, as it is now: closed when it has ended; the role and gates as they are.
  auto who = gov_.Revalidate(st.token, st.source);
  if (!who.ok() || who->must_change_password || who->must_enrol_totp) return false;
  ++metrics_.stream_wakes;
  std::string out;
  const int64_t newest = newest_alert_.load();
  if (newest > st.last_id) {
    auto more = policy::NewAlertsForStream(gov_, *who, st.last_id);
    if (!more.ok()) return false;  // refused (and logged), or the log failed: close
    out = AlertEvents(*more, st.last_id);
    if (more->empty()) st.last_id = std::max(st.last_id, newest);  // none of them is this user's
  }
  if (out.empty()) out = ": keep-alive\n\n";
  return sink.write(out.data(), out.size());
}

void AlertStreams::AlertsChanged() {
  auto newest = policy::NewestAlertId(gov_);
  if (!newest.ok() || *newest <= newest_alert_.load()) return;
  newest_alert_ = *newest;
  WakeStreams();
}

void AlertStreams::WakeStreams() {
  {
    std::lock_guard lock(alerts_mu_);
    ++alerts_gen_;
  }
  alerts_cv_.notify_all();
}

void AlertStreams::WatchAlerts() {
  std::unique_lock lock(watch_mu_);
  while (!stopping_) {
    watch_cv_.wait_for(lock, options_.stream_wake, [&] { return stopping_.load(); });
    if (stopping_) break;
    if (metrics_.streams_open.load() == 0) continue;
    lock.unlock();
    AlertsChanged();
    lock.lock();
  }
}

}  // namespace custodian::server::internal
