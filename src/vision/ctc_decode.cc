#include "ctc_decode.h"

#include <algorithm>
#include <cmath>

namespace custodian::vision {

std::string BestPathText(const float* probs, int classes, int steps, std::string_view charset) {
  std::string out;
  int prev = 0;
  for (int t = 0; t < steps; ++t) {
    const float* p = probs + size_t(t) * size_t(classes);
    const int best = int(std::max_element(p, p + classes) - p);
    if (best != prev && best != 0 && size_t(best) <= charset.size()) out.push_back(charset[size_t(best) - 1]);
    prev = best;
  }
  return out;
}

void SoftmaxOverClasses(float* logits, int classes, int steps) {
  for (int t = 0; t < steps; ++t) {
    float mx = -INFINITY;
    for (int c = 0; c < classes; ++c) mx = std::max(mx, logits[c * steps + t]);
    float sum = 0;
    for (int c = 0; c < classes; ++c) {
      float e = std::exp(logits[c * steps + t] - mx);
      logits[c * steps + t] = e;
      sum += e;
    }
    for (int c = 0; c < classes; ++c) logits[c * steps + t] /= sum;
  }
}

std::vector<CharSlot> DecodeGreedy(const float* probs, int classes, int steps, std::string_view charset,
                                   int max_options) {
  std::vector<CharSlot> slots;
  int prev = 0;
  int run_peak_t = -1;
  float run_peak_p = -1;
  auto close_run = [&](int cls) {
    if (cls == 0 || run_peak_t < 0) return;
    std::vector<std::pair<float, int>> order;
    for (int c = 1; c < classes && c <= int(charset.size()); ++c) order.push_back({probs[c * steps + run_peak_t], c});
    int k = std::min<int>(max_options, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), std::greater<>());
    CharSlot slot;
    // The greedy class leads even if another class tops it at the peak (it cannot, but be exact).
    slot.options.push_back({charset[cls - 1], probs[cls * steps + run_peak_t]});
    for (int i = 0; i < k; ++i) {
      if (order[i].second != cls) slot.options.push_back({charset[order[i].second - 1], order[i].first});
      if (int(slot.options.size()) >= max_options) break;
    }
    slots.push_back(std::move(slot));
  };
  for (int t = 0; t < steps; ++t) {
    int best = 0;
    float best_p = probs[t];
    for (int c = 1; c < classes; ++c) {
      float p = probs[c * steps + t];
      if (p > best_p) { best_p = p; best = c; }
    }
    if (best != prev) {
      close_run(prev);
      run_peak_t = -1;
      run_peak_p = -1;
    }
    if (best != 0 && best_p > run_peak_p) { run_peak_p = best_p; run_peak_t = t; }
    prev = best;
  }
  close_run(prev);
  return slots;
}

std::vector<RawCandidate> BestReadings(const std::vector<CharSlot>& slots, int limit) {
  std::vector<RawCandidate> beam{{"", 1.0f, {}}};
  const size_t width = size_t(std::max(limit, 1)) * 3;
  for (const CharSlot& slot : slots) {
    std::vector<RawCandidate> next;
    next.reserve(beam.size() * slot.options.size());
    for (const RawCandidate& partial : beam) {
      for (const auto& [ch, p] : slot.options) {
        RawCandidate c = partial;
        c.text.push_back(ch);
        c.score *= p;
        c.char_probs.push_back(p);
        next.push_back(std::move(c));
      }
    }
    std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
    if (next.size() > width) next.resize(width);
    beam = std::move(next);
  }
  if (slots.empty()) return {};
  if (beam.size() > size_t(limit)) beam.resize(size_t(limit));
  return beam;
}

double CtcTextProbability(const float* probs, int classes, int steps, std::string_view charset, std::string_view text) {
  if (text.empty() || steps <= 0) return 0;
  // The extended label: blank, c1, blank, c2, ..., cn, blank.
  std::vector<int> ext(2 * text.size() + 1, 0);
  for (size_t i = 0; i < text.size(); ++i) {
    size_t c = charset.find(text[i]);
    if (c == std::string_view::npos || int(c) + 1 >= classes) return 0;
    ext[2 * i + 1] = int(c) + 1;
  }
  const size_t s_len = ext.size();
  std::vector<double> alpha(s_len, 0.0), next(s_len, 0.0);
  alpha[0] = probs[0];
  alpha[1] = probs[ext[1]];
  for (int t = 1; t < steps; ++t) {
    const float* p = probs + size_t(t) * size_t(classes);
    for (size_t s = 0; s < s_len; ++s) {
      double a = alpha[s];
      if (s >= 1) a += alpha[s - 1];
      // A character may follow the previous one directly unless they are the same.
      if (s >= 2 && ext[s] != 0 && ext[s] != ext[s - 2]) a += alpha[s - 2];
      next[s] = a * double(p[ext[s]]);
    }
    alpha.swap(next);
  }
  return alpha[s_len - 1] + alpha[s_len - 2];
}

}  // namespace custodian::vision
