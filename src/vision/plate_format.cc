#include "custodian/vision/plate_format.h"

#include <algorithm>
#include <cctype>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace custodian::vision {
namespace {

bool IsLetter(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Result<std::map<char, char>> ParseMap(const nlohmann::json& j, const char* name) {
  std::map<char, char> out;
  if (!j.is_object()) return Status::InvalidArgument("plate formats: '", name, "' must be an object");
  for (const auto& [k, v] : j.items()) {
    if (k.size() != 1 || !v.is_string() || v.get<std::string>().size() != 1) {
      return Status::InvalidArgument("plate formats: '", name, "' maps one character to one character");
    }
    out[k[0]] = v.get<std::string>()[0];
  }
  return out;
}

// The edit distance from `word` to the stretch of `text` it best matches (semi-global).
int DistanceToBestStretch(const std::string& word, const std::string& text) {
  std::vector<int> prev(text.size() + 1, 0), cur(text.size() + 1);
  for (size_t i = 1; i <= word.size(); ++i) {
    cur[0] = int(i);
    for (size_t j = 1; j <= text.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] != text[j - 1])});
    }
    std::swap(prev, cur);
  }
  return *std::min_element(prev.begin(), prev.end());
}

bool IsZeroOneLike(char c) { return c == '0' || c == 'O' || c == '1' || c == 'I'; }

int Runs(const std::string& t) {
  int runs = t.empty() ? 0 : 1;
  for (size_t i = 1; i < t.size(); ++i) runs += IsLetter(t[i]) != IsLetter(t[i - 1]);
  return runs;
}

}  // namespace

RegionMatch MatchRegion(const std::vector<Region>& regions, const std::vector<std::string>& texts) {
  constexpr float kMaxWrong = 0.35f;
  constexpr int kMinEvidence = 5;
  constexpr int kMinLead = 2;
  std::vector<int> evidence(regions.size(), 0);
  for (const std::string& text : texts) {
    if (text.size() < 3) continue;
    for (size_t r = 0; r < regions.size(); ++r) {
      int best = 0;
      for (const std::string& name : regions[r].names) {
        const int d = DistanceToBestStretch(name, text);
        if (float(d) <= kMaxWrong * float(name.size())) best = std::max(best, int(name.size()) - d);
      }
      evidence[r] += best;
    }
  }
  RegionMatch m;
  int first = 0, second = 0;
  for (size_t r = 0; r < regions.size(); ++r) {
    if (evidence[r] > first) {
      second = first;
      first = evidence[r];
      m.index = int(r);
    } else if (evidence[r] > second) {
      second = evidence[r];
    }
  }
  if (first < kMinEvidence || first - second < kMinLead) return RegionMatch{};
  m.evidence = first;
  m.confidence = float(first - second) / float(first);
  return m;
}

std::string SettleByRegion(const Region& region, const std::string& text) {
  std::vector<const std::string*> agree;
  for (const std::string& f : region.formats) {
    if (f.size() != text.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < f.size() && ok; ++i) {
      const char c = text[i];
      if (IsZeroOneLike(c)) continue;
      ok = (f[i] == 'L') == IsLetter(c) && (IsLetter(c) || IsDigit(c));
    }
    if (ok) agree.push_back(&f);
  }
  if (agree.empty()) return text;
  std::string out = text;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsZeroOneLike(text[i])) continue;
    const char kind = (*agree[0])[i];
    if (std::any_of(agree.begin(), agree.end(), [&](const std::string* f) { return (*f)[i] != kind; })) continue;
    if (kind == 'L') out[i] = text[i] == '0' ? 'O' : text[i] == '1' ? 'I' : text[i];
    if (kind == 'N') out[i] = text[i] == 'O' ? '0' : text[i] == 'I' ? '1' : text[i];
  }
  return Runs(out) > Runs(text) ? text : out;
}

Result<FormatBook> FormatBook::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("plate formats file not found: ", path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto book = Parse(ss.str());
  if (!book.ok()) return Status(book.status().code(), path + ": " + book.status().message());
  return book;
}

Result<FormatBook> FormatBook::Parse(const std::string& json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("plate formats: not valid JSON");
  FormatBook book;
  try {
    if (j.contains("confusables")) {
      const auto& c = j.at("confusables");
      CUSTODIAN_ASSIGN_OR_RETURN(book.to_digit_, ParseMap(c.value("to_digit", nlohmann::json::object()), "to_digit"));
      CUSTODIAN_ASSIGN_OR_RETURN(book.to_letter_, ParseMap(c.value("to_letter", nlohmann::json::object()), "to_letter"));
    }
    if (!j.contains("profiles") || !j.at("profiles").is_array() || j.at("profiles").empty()) {
      return Status::InvalidArgument("plate formats: 'profiles' must be a non-empty array");
    }
    for (const auto& p : j.at("profiles")) {
      CountryProfile prof;
      prof.name = p.at("name").get<std::string>();
      prof.strict = p.value("strict", false);
      prof.unfit_weight = p.value("unfit_weight", 0.85f);
      if (!(prof.unfit_weight > 0.f && prof.unfit_weight <= 1.f)) {
        return Status::InvalidArgument("plate formats: unfit_weight of '", prof.name, "' must be in (0, 1]");
      }
      if (p.contains("char_weight")) {
        const auto& cw = p.at("char_weight");
        if (!cw.is_object()) return Status::InvalidArgument("plate formats: char_weight of '", prof.name, "' must be an object");
        for (const auto& [k, v] : cw.items()) {
          const float w = v.get<float>();
          if (k.size() != 1 || !std::isalnum(static_cast<unsigned char>(k[0])) || !(w > 0.f && w <= 1.f)) {
            return Status::InvalidArgument("plate formats: char_weight of '", prof.name,
                                           "' maps single letters or digits to weights in (0, 1]");
          }
          prof.char_weight[static_cast<unsigned char>(k[0])] = w;
        }
      }
      if (p.contains("regions")) {
        for (const auto& r : p.at("regions")) {
          Region region;
          region.code = r.at("code").get<std::string>();
          region.names = r.at("names").get<std::vector<std::string>>();
          region.formats = r.value("formats", std::vector<std::string>{});
          if (region.code.empty() || region.names.empty()) {
            return Status::InvalidArgument("plate formats: a region of '", prof.name, "' needs a code and names");
          }
          for (const std::string& n : region.names) {
            if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) { return IsLetter(c) || IsDigit(c); })) {
              return Status::InvalidArgument("plate formats: region '", region.code, "' name '", n,
                                             "' must be upper case letters and digits");
            }
          }
          for (const std::string& f : region.formats) {
            if (f.empty() || f.find_first_not_of("LN") != std::string::npos) {
              return Status::InvalidArgument("plate formats: region '", region.code, "' format '", f,
                                             "' may only use L and N");
            }
          }
          prof.regions.push_back(std::move(region));
        }
      }
      prof.min_length = p.value("min_length", 4);
      prof.max_length = p.value("max_length", 8);
      for (const auto& f : p.at("formats")) {
        std::string fmt = f.get<std::string>();
        for (char ch : fmt) {
          if (ch != 'L' && ch != 'N' && ch != 'A') {
            return Status::InvalidArgument("plate formats: format '", fmt, "' of '", prof.name,
                                           "' may only use L, N and A");
          }
        }
        prof.formats.push_back(std::move(fmt));
      }
      if (prof.name.empty()) return Status::InvalidArgument("plate formats: a profile has no name");
      book.profiles_.push_back(std::move(prof));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("plate formats: ", e.what());
  }
  return book;
}

Result<std::vector<const CountryProfile*>> FormatBook::ProfilesFor(const std::string& country) const {
  std::vector<const CountryProfile*> out;
  for (const auto& p : profiles_) {
    if (country == "auto" || p.name == country) out.push_back(&p);
  }
  if (out.empty()) {
    std::string names;
    for (const auto& p : profiles_) names += (names.empty() ? "" : ", ") + p.name;
    return Status::InvalidArgument("unknown country '", country, "' (known: ", names, ", auto)");
  }
  return out;
}

FormatFit FormatBook::Fit(const CountryProfile& profile, const std::string& text) const {
  FormatFit best;
  for (const std::string& fmt : profile.formats) {
    if (fmt.size() != text.size()) continue;
    std::string out = text;
    int changes = 0;
    bool ok = true;
    for (size_t i = 0; i < fmt.size() && ok; ++i) {
      char c = text[i];
      if (fmt[i] == 'L' && !IsLetter(c)) {
        auto it = to_letter_.find(c);
        if (it == to_letter_.end()) ok = false; else { out[i] = it->second; ++changes; }
      } else if (fmt[i] == 'N' && !IsDigit(c)) {
        auto it = to_digit_.find(c);
        if (it == to_digit_.end()) ok = false; else { out[i] = it->second; ++changes; }
      }
    }
    if (ok && (!best.fits || changes < best.corrections)) {
      best = {true, out, fmt, changes};
      if (changes == 0) break;
    }
  }
  if (!best.fits) best.text = text;
  return best;
}

}  // namespace custodian::vision
