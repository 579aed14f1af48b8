#include "custodian/vision/plate_format.h"

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

}  // namespace

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
