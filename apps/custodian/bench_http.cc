// custodian bench http-setup: prepares a data folder for the HTTP load benchmark
// (bench/run_http_bench.sh drives `custodian serve` on it with wrk).
//   custodian bench http-setup --data-dir DIR [--reads N] [--json]
// In-process, on the same files `custodian serve --data-dir DIR` opens, it bootstraps the
// installation and onboards its people exactly as they would onboard themselves: the first
// coordinator logs on with the one-time password, enrols TOTP (codes computed from the
// secret, as an authenticator app would), changes the password and logs on again; a second
// coordinator is created, onboarded the same way, and approves the first one's signed
// acknowledgment as supervisor and as coordinator; training is recorded. Then a camera and
// an API key for it, and optionally N generated reads through ReadStore::Ingest in batches
// so searches run against a populated store. Prints one JSON object:
//   {"api_key":"ck_...","cookie":"custodian_session=...","camera_id":...,"plate":...}
// The session is a real one: it ends after the governance idle timeout (30 minutes by
// default) and its hard lifetime (12 hours). Refuses a data folder that already has accounts.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_data.h"
#include "commands.h"
#include "custodian/policy/api_keys.h"
#include "custodian/policy/governance.h"
#include "custodian/policy/governed_ops.h"
#include "custodian/policy/totp.h"
#include "custodian/store/read_store.h"

namespace custodian::app {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The agency and first account `custodian serve` bootstraps with its defaults.
constexpr const char* kAgencyCode = "CITY";
constexpr const char* kAgencyName = "City of Custodian";
constexpr const char* kFirstUser = "coordinator";
constexpr const char* kSecondUser = "coordinator2";
constexpr const char* kCameraId = "bench-http-cam";
constexpr const char* kSource = "bench http-setup";

struct HttpSetupArgs {
  std::string data_dir;
  int64_t reads = 0;
  bool json = false;
  uint64_t seed = 20261128;
};

int Fail(std::string_view what, const Status& st) {
  std::cerr << "custodian bench http-setup: " << what << ": " << st.ToString() << "\n";
  return 1;
}

// A person being onboarded: what they know, and the last TOTP step they used (each code is
// accepted once, so the next code must be for a later step within the accepted window).
struct Person {
  std::string username, full_name, password;
  std::vector<uint8_t> totp_secret;
  int64_t last_step = -1;
  std::string token;
  policy::Principal who;
};

// The next unused code: the earliest step after the last one used that the server's window
// (one step either side of now, by default) still accepts.
std::string NextCode(Person& p) {
  const int64_t now_step = ToUnixMillis(SystemClock::Default().Now()) / 1000 / 30;
  const int64_t step = std::max(p.last_step + 1, now_step - 1);
  p.last_step = step;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", policy::Hotp(p.totp_secret, uint64_t(step), 6));
  return buf;
}

// A strong password nobody else knows (the benchmark needs only the session).
std::string NewPassword() {
  std::random_device rd;
  static const char kChars[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string s = "bench-";
  for (int i = 0; i < 24; ++i) s += kChars[rd() % (sizeof kChars - 1)];
  return s;
}

Result<policy::LogonResult> LogOn(policy::Governance& gov, Person& p) {
  return gov.Logon({.username = p.username,
                    .password = p.password,
                    .totp_code = p.totp_secret.empty() ? "" : NextCode(p),
                    .notice_accepted = true,
                    .source = kSource});
}

// First logon with the one-time password, TOTP enrolment, password change, fresh logon.
Status Onboard(policy::Governance& gov, Person& p) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto first, LogOn(gov, p));
  CUSTODIAN_ASSIGN_OR_RETURN(auto enrol, gov.BeginTotpEnrolment(first.principal));
  CUSTODIAN_ASSIGN_OR_RETURN(p.totp_secret, policy::Base32Decode(enrol.secret_base32));
  CUSTODIAN_RETURN_IF_ERROR(gov.ConfirmTotpEnrolment(first.principal, NextCode(p)));
  const std::string next = NewPassword();
  CUSTODIAN_RETURN_IF_ERROR(gov.ChangePassword(first.principal, p.password, next));
  p.password = next;
  CUSTODIAN_RETURN_IF_ERROR(gov.Logout(first.principal));
  CUSTODIAN_ASSIGN_OR_RETURN(auto again, LogOn(gov, p));
  if (again.principal.must_enrol_totp || again.principal.must_change_password) {
    return Status::Internal("onboarding left ", p.username, " with a pending step");
  }
  p.token = again.token;
  p.who = again.principal;
  return Status::Ok();
}

// N reads over the last 30 days, oldest first, about five per vehicle (uniformly chosen),
// in batches of 1,000. Returns a plate that was stored.
Result<std::string> Preload(store::ReadStore& st, int64_t n, uint64_t seed, bool quiet) {
  std::mt19937_64 rng(seed);
  const size_t vehicles = size_t(std::max<int64_t>(1'000, n / 5));
  std::vector<std::string> plates(vehicles);
  for (auto& p : plates) p = RandomPlate(rng);
  const TimePoint now = std::chrono::time_point_cast<std::chrono::milliseconds>(SystemClock::Default().Now());
  const TimePoint start = now - std::chrono::days(30);
  const int64_t span_ms = std::chrono::milliseconds(std::chrono::days(30)).count() - 60'000;
  std::string known;
  std::vector<store::ReadInput> batch;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n;) {
    batch.clear();
    for (; i < n && batch.size() < 1'000; ++i) {
      const std::string& plate = plates[rng() % vehicles];
      if (i == n / 2) known = plate;
      store::ReadInput r{.event_id = "preload-" + std::to_string(i),
                         .camera_id = kCameraId,
                         .captured_at = start + std::chrono::milliseconds(span_ms * i / n),
                         .plate = plate,
                         .confidence = 0.6f + float(rng() % 40) / 100.0f,
                         .country = "us",
                         .region = "CA"};
      r.candidates.push_back({plate, r.confidence});
      batch.push_back(std::move(r));
    }
    CUSTODIAN_ASSIGN_OR_RETURN(auto res, st.Ingest(batch));
    (void)res;
    if (!quiet && n >= 100'000 && i % (n / 10) < 1'000) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cerr << "  pre-loaded " << i << " reads, " << int64_t(double(i) / s) << " reads/s\n";
    }
  }
  return known;
}

int RunHttpSetup(const HttpSetupArgs& a) {
  std::error_code ec;
  // The same files `custodian serve --data-dir DIR` opens (serve.cc).
  const fs::path data = fs::absolute(a.data_dir, ec);
  fs::create_directories(data, ec);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);
  const std::string url = "sqlite://" + (data / "custodian.db").string();
  auto opened = store::OpenStore(url, {.image_dir = data / "images", .key_file = data / "image.key", .migrate = true});
  if (!opened.ok()) return Fail("open", opened.status());
  store::ReadStore& st = **opened;
  auto gov_or = policy::Governance::Open(st, {.signing_key_file = data / "agency.key"});
  if (!gov_or.ok()) return Fail("governance", gov_or.status());
  policy::Governance& gov = **gov_or;

  auto first = policy::BootstrapInstallation(gov, kAgencyCode, kAgencyName, kFirstUser, "ALPR Coordinator");
  if (!first.ok()) return Fail("bootstrap (use a new, empty --data-dir)", first.status());
  Person coord{.username = first->username, .full_name = "ALPR Coordinator", .password = first->initial_password};
  if (Status s = Onboard(gov, coord); !s.ok()) return Fail("onboarding " + coord.username, s);

  // A second coordinator approves the first one's acknowledgment (nobody approves their own).
  auto made = gov.CreateUser(coord.who, {.username = kSecondUser,
                                         .full_name = "Second Coordinator",
                                         .agency_code = kAgencyCode,
                                         .role = policy::Role::kCoordinator,
                                         .supervisor = coord.username});
  if (!made.ok()) return Fail("creating " + std::string(kSecondUser), made.status());
  Person coord2{.username = made->username, .full_name = "Second Coordinator", .password = made->initial_password};
  if (Status s = Onboard(gov, coord2); !s.ok()) return Fail("onboarding " + coord2.username, s);

  for (Person* p : {&coord, &coord2}) {
    policy::AcknowledgmentSignature sig{{true, true, true, true}, p->full_name};
    if (Status s = gov.SignAcknowledgment(p->who, sig); !s.ok()) return Fail("acknowledgment of " + p->username, s);
  }
  for (auto [by, of] : {std::pair{&coord2, &coord}, std::pair{&coord, &coord2}}) {
    for (auto as : {policy::Approval::kSupervisor, policy::Approval::kCoordinator}) {
      if (Status s = gov.ApproveAcknowledgment(by->who, of->username, as); !s.ok()) {
        return Fail("approval of " + of->username, s);
      }
    }
    const TimePoint done = SystemClock::Default().Now();
    if (Status s = gov.RecordTraining(by->who, of->username, "ALPR user training", done); !s.ok()) {
      return Fail("training of " + of->username, s);
    }
  }
  if (Status s = gov.Logout(coord2.who); !s.ok()) return Fail("logout", s);

  // The camera and its API key.
  if (Status s = policy::PutCamera(gov, coord.who,
                                   {.id = kCameraId,
                                    .name = "HTTP benchmark camera",
                                    .agency_code = kAgencyCode,
                                    .data_class = store::DataClass::kPublicSafety});
      !s.ok()) {
    return Fail("camera", s);
  }
  auto key = policy::CreateApiKey(gov, coord.who, kCameraId, "HTTP benchmark");
  if (!key.ok()) return Fail("API key", key.status());

  std::string plate = "7BEN001";
  if (a.reads > 0) {
    auto known = Preload(st, a.reads, a.seed, a.json);
    if (!known.ok()) return Fail("pre-load", known.status());
    plate = *known;
  }
  // Fresh from here: the idle timer restarts on each request.
  if (auto who = gov.Authenticate(coord.token, kSource); !who.ok()) return Fail("session check", who.status());

  json out{{"api_key", key->secret},
           {"cookie", "custodian_session=" + coord.token},
           {"camera_id", kCameraId},
           {"plate", plate},
           {"reads", a.reads},
           {"username", coord.username}};
  if (!a.json) {
    std::cout << "Data folder " << data.string() << " is ready for `custodian serve --data-dir "
              << data.string() << "`.\n";
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace

void RegisterBenchHttp(CLI::App& app, Action* run) {
  CLI::App* bench = app.get_subcommand("bench");  // created by RegisterBenchVision
  auto [cmd, args] = AddSubcommand<HttpSetupArgs>(
      bench, "http-setup", "Prepare a data folder for the HTTP load benchmark: accounts, a camera, an API key, reads",
      run, RunHttpSetup);
  cmd->add_option("--data-dir", args->data_dir, "New data folder for `custodian serve --data-dir`")->required();
  cmd->add_option("--reads", args->reads, "Generated reads to pre-load")->capture_default_str()->check(
      CLI::Range(int64_t(0), int64_t(100'000'000)));
  cmd->add_flag("--json", args->json, "Print only the JSON line");
  cmd->add_option("--seed", args->seed, "Generator seed")->capture_default_str();
}

}  // namespace custodian::app
