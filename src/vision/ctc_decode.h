// CTC decoding of the recognizer's output into characters with alternatives, and
// the ranking of candidate readings. Internal to custodian_vision; tested directly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace custodian::vision {

// One decoded character position: its alternatives, most probable first.
struct CharSlot {
  std::vector<std::pair<char, float>> options;  // (character, probability at the peak timestep)
};

// Greedy (best path) decoding. `probs` holds softmax probabilities laid out as
// probs[c * steps + t] for class c (0 = blank, c = charset[c - 1]) and timestep t.
// Each run of one non-blank class becomes a slot; its alternatives are the `max_options`
// most probable non-blank classes at the run's peak.
std::vector<CharSlot> DecodeGreedy(const float* probs, int classes, int steps, std::string_view charset,
                                   int max_options);

// Greedy (best path) text of time-major probabilities, probs[t * classes + c]: the most
// probable class at each timestep, repeats merged, blanks dropped.
std::string BestPathText(const float* probs, int classes, int steps, std::string_view charset);

// In-place softmax over classes for each timestep of logits laid out as above.
void SoftmaxOverClasses(float* logits, int classes, int steps);

struct RawCandidate {
  std::string text;
  float score = 0;                 // product of the chosen characters' probabilities
  std::vector<float> char_probs;   // one per character
  int rows = 1;                    // 2: the top row's text, then the bottom row's
};

// The `limit` most probable readings over the slots (beam search over alternatives).
std::vector<RawCandidate> BestReadings(const std::vector<CharSlot>& slots, int limit);

// The probability that a CTC output emits exactly `text` (the sum over every alignment,
// the forward algorithm). `probs` holds per-timestep probabilities laid out time-major,
// probs[t * classes + c], class 0 = blank, c = charset[c - 1]. 0 for a character not in
// the charset, an empty text or one that cannot fit in `steps`.
double CtcTextProbability(const float* probs, int classes, int steps, std::string_view charset, std::string_view text);

}  // namespace custodian::vision
