// PlateTracker and VotePlate (see tracker.h).
#include "custodian/vision/tracker.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace custodian::vision {

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = int(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = int(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

namespace {

// A frame's votes: its candidates, or its best reading when it lists none.
std::vector<Candidate> VotesOf(const PlateRead& r) {
  if (!r.candidates.empty()) return r.candidates;
  if (r.text.empty()) return {};
  return {Candidate{r.text, r.confidence, false}};
}

}  // namespace

Box BoxOf(const PlateRead& read) {
  float x0 = read.corners[0].x, y0 = read.corners[0].y, x1 = x0, y1 = y0;
  for (const Point& p : read.corners) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

float Overlap(const Box& a, const Box& b) {
  if (a.width <= 0 || a.height <= 0 || b.width <= 0 || b.height <= 0) return 0;
  const float ix = std::max(0.f, std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x));
  const float iy = std::max(0.f, std::min(a.y + a.height, b.y + b.height) - std::max(a.y, b.y));
  const float inter = ix * iy;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kNone: return "";
    case Direction::kUp: return "up";
    case Direction::kDown: return "down";
    case Direction::kLeft: return "left";
    case Direction::kRight: return "right";
  }
  return "";
}

VotedPlate VotePlate(const std::vector<Sighting>& sightings, const std::function<bool(const std::string&)>& fits_format) {
  VotedPlate out;
  std::map<size_t, double> by_length;
  std::map<std::string, double> by_text;
  double total = 0;
  for (const Sighting& s : sightings) {
    const std::vector<Candidate> votes = VotesOf(s.read);
    if (votes.empty()) continue;
    ++out.frames;
    for (const Candidate& c : votes) {
      if (c.text.empty() || c.confidence <= 0) continue;
      by_length[c.text.size()] += c.confidence;
      by_text[c.text] += c.confidence;
      total += c.confidence;
    }
  }
  if (total <= 0) return out;
  const size_t length =
      std::max_element(by_length.begin(), by_length.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
          ->first;
  // Per position, the character with most votes among the candidates of that length.
  std::vector<std::map<char, double>> positions(length);
  for (const auto& [text, votes] : by_text) {
    if (text.size() != length) continue;
    for (size_t i = 0; i < length; ++i) positions[i][text[i]] += votes;
  }
  std::string voted(length, '?');
  for (size_t i = 0; i < length; ++i) {
    voted[i] = std::max_element(positions[i].begin(), positions[i].end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; })
                   ->first;
  }
  // The voted text's own score: the mean over positions of its characters' shares (a text
  // no frame read whole still gets the support of its characters).
  auto score_of = [&](const std::string& text) {
    if (text.size() != length) return by_text.count(text) ? by_text.at(text) : 0.0;
    double s = 0;
    for (size_t i = 0; i < length; ++i) s += positions[i][text[i]];
    return s / double(length);
  };
  std::vector<std::pair<std::string, double>> ranked;
  ranked.emplace_back(voted, score_of(voted));
  for (const auto& [text, votes] : by_text) {
    if (text != voted) ranked.emplace_back(text, votes);
  }
  std::stable_sort(ranked.begin() + 1, ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (fits_format && !fits_format(ranked[0].first)) {
    auto fit = std::find_if(ranked.begin() + 1, ranked.end(), [&](const auto& r) { return fits_format(r.first); });
    if (fit != ranked.end()) std::rotate(ranked.begin(), fit, fit + 1);
  }
  for (const auto& [text, votes] : ranked) {
    out.candidates.push_back(
        Candidate{text, float(std::min(1.0, votes / total)), fits_format ? fits_format(text) : false});
  }
  out.text = out.candidates[0].text;
  out.confidence = out.candidates[0].confidence;
  return out;
}

PlateTracker::PlateTracker(TrackerOptions options) : options_(std::move(options)) {}

bool PlateTracker::Continues(const Track& t, const Sighting& s, float* score) const {
  const Sighting& last = t.sightings.back();
  Box expected = last.box;
  if (t.sightings.size() >= 2) {  // moved on by the track's last speed
    const Sighting& prev = t.sightings[t.sightings.size() - 2];
    const double dt = double((last.at - prev.at).count());
    if (dt > 0) {
      const double ahead = double((s.at - last.at).count()) / dt;
      expected.x += float((last.box.x - prev.box.x) * ahead);
      expected.y += float((last.box.y - prev.box.y) * ahead);
    }
  }
  const float overlap = std::max(Overlap(expected, s.box), Overlap(last.box, s.box));
  const bool same_text = !s.read.text.empty() && EditDistance(s.read.text, last.read.text) <= options_.max_text_edits;
  const bool both_sure =
      s.read.confidence >= options_.distinct_when_sure && last.read.confidence >= options_.distinct_when_sure;
  if (both_sure && !same_text) return false;  // another vehicle where this one was
  // Between tracks that could take it, the likelier reading and the more recent track win.
  const size_t longer = std::max({s.read.text.size(), last.read.text.size(), size_t(1)});
  const float similar = 1.f - float(EditDistance(s.read.text, last.read.text)) / float(longer);
  const float age = float((s.at - last.at).count()) / float(std::max<int64_t>(1, options_.end_after.count()));
  const float bonus = similar - 0.5f * std::min(1.f, age);
  if (overlap >= options_.min_overlap) {
    *score = 1.f + overlap + bonus;
    return true;
  }
  const float width = std::max({1.f, s.box.width, last.box.width});
  const float jump = std::hypot(s.box.cx() - expected.cx(), s.box.cy() - expected.cy()) / width;
  if (same_text && jump <= options_.max_jump_widths) {
    *score = 1.f - jump / (options_.max_jump_widths + 1.f) + bonus;
    return true;
  }
  return false;
}

Pass PlateTracker::PassOf(const Track& t, bool still_open) const {
  Pass p;
  p.track_id = t.id;
  p.sightings = t.sightings;
  p.first_seen = t.sightings.front().at;
  p.last_seen = t.sightings.back().at;
  p.still_open = still_open;
  const Box& a = t.sightings.front().box;
  const Box& b = t.sightings.back().box;
  const float dx = b.cx() - a.cx(), dy = b.cy() - a.cy();
  if (std::max(std::abs(dx), std::abs(dy)) >= options_.min_travel * std::max(frame_side_, 1.f)) {
    p.direction = std::abs(dy) >= std::abs(dx) ? (dy > 0 ? Direction::kDown : Direction::kUp)
                                               : (dx > 0 ? Direction::kRight : Direction::kLeft);
  }
  // The crop that represents the pass: the surest reading, the larger plate on a tie.
  for (size_t i = 1; i < t.sightings.size(); ++i) {
    const PlateRead& r = t.sightings[i].read;
    const PlateRead& best = t.sightings[p.best].read;
    if (r.confidence > best.confidence ||
        (r.confidence == best.confidence && t.sightings[i].box.width > t.sightings[p.best].box.width)) {
      p.best = i;
    }
  }
  p.voted = VotePlate(t.sightings, options_.fits_format);
  return p;
}

std::vector<Pass> PlateTracker::EndTracksBefore(TimePoint at) {
  std::vector<Pass> out;
  std::vector<Track> open;
  for (Track& t : tracks_) {
    if (t.alive_until < at) {
      if (!t.emitted && int(t.sightings.size()) >= options_.min_frames) out.push_back(PassOf(t, false));
    } else {
      if (!t.emitted && int(t.sightings.size()) >= options_.min_frames &&
          at - t.sightings.front().at >= options_.emit_after) {
        t.emitted = true;
        out.push_back(PassOf(t, true));
      }
      open.push_back(std::move(t));
    }
  }
  tracks_ = std::move(open);
  std::stable_sort(out.begin(), out.end(), [](const Pass& a, const Pass& b) { return a.first_seen < b.first_seen; });
  return out;
}

std::vector<Pass> PlateTracker::Add(TimePoint at, int width, int height, std::vector<Sighting> sightings,
                                    std::vector<int64_t>* track_ids) {
  if (track_ids != nullptr) track_ids->assign(sightings.size(), 0);
  now_ = std::max(now_, at);
  frame_side_ = float(std::max(width, height));
  // Tracks whose plate has been gone too long end first: a vehicle that comes back to the
  // same place later starts a new pass.
  std::vector<Pass> out = EndTracksBefore(now_);
  for (Sighting& s : sightings) s.at = now_;
  // Greedy assignment, best pairs first: each track takes at most one sighting a frame.
  struct Pair {
    float score;
    size_t track, sighting;
  };
  std::vector<Pair> pairs;
  for (size_t ti = 0; ti < tracks_.size(); ++ti) {
    for (size_t si = 0; si < sightings.size(); ++si) {
      float score = 0;
      if (Continues(tracks_[ti], sightings[si], &score)) pairs.push_back({score, ti, si});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.score > b.score; });
  std::vector<bool> track_taken(tracks_.size()), sighting_taken(sightings.size());
  for (const Pair& p : pairs) {
    if (track_taken[p.track] || sighting_taken[p.sighting]) continue;
    track_taken[p.track] = sighting_taken[p.sighting] = true;
    Track& t = tracks_[p.track];
    if (track_ids != nullptr) (*track_ids)[p.sighting] = t.id;
    t.sightings.push_back(std::move(sightings[p.sighting]));
    t.alive_until = now_ + options_.end_after;
  }
  for (size_t si = 0; si < sightings.size(); ++si) {
    if (sighting_taken[si]) continue;
    Track t;
    t.id = next_id_++;
    if (track_ids != nullptr) (*track_ids)[si] = t.id;
    t.sightings.push_back(std::move(sightings[si]));
    t.alive_until = now_ + options_.end_after;
    tracks_.push_back(std::move(t));
  }
  return out;
}

std::vector<Pass> PlateTracker::AddStill(TimePoint at) {
  now_ = std::max(now_, at);
  for (Track& t : tracks_) t.alive_until = std::max(t.alive_until, now_ + options_.end_after);
  return EndTracksBefore(now_);
}

bool PlateTracker::IsOpen(int64_t id) const {
  return std::any_of(tracks_.begin(), tracks_.end(), [id](const Track& t) { return t.id == id; });
}

std::vector<Pass> PlateTracker::Flush() {
  std::vector<Pass> out;
  for (const Track& t : tracks_) {
    if (!t.emitted && int(t.sightings.size()) >= options_.min_frames) out.push_back(PassOf(t, false));
  }
  tracks_.clear();
  std::stable_sort(out.begin(), out.end(), [](const Pass& a, const Pass& b) { return a.first_seen < b.first_seen; });
  return out;
}

}  // namespace custodian::vision
