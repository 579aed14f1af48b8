#include "session.h"
#include "governed_subcommand.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace custodian::app {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// What the session file holds.
struct SessionFile {
  std::string token, db, images, key, signing_key;
};

Result<fs::path> SessionPath() {
  if (const char* env = std::getenv("CUSTODIAN_SESSION"); env != nullptr && *env != '\0') return fs::path(env);
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return Status::InvalidArgument("no session file: set CUSTODIAN_SESSION or HOME");
  }
  return fs::path(home) / ".config" / "custodian" / "session";
}

Result<std::optional<SessionFile>> LoadSession() {
  CUSTODIAN_ASSIGN_OR_RETURN(fs::path path, SessionPath());
  std::ifstream in(path);
  if (!in) return std::optional<SessionFile>();
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
    return Status::InvalidArgument("the session file ", path.string(), " is malformed; log in again");
  }
  SessionFile s;
  s.token = j.value("token", "");
  s.db = j.value("db", "");
  s.images = j.value("images", "");
  s.key = j.value("key", "");
  s.signing_key = j.value("signing_key", "");
  return std::optional<SessionFile>(s);
}

Status SaveSession(const SessionFile& s) {
  CUSTODIAN_ASSIGN_OR_RETURN(fs::path path, SessionPath());
  std::error_code ec;
  if (const char* env = std::getenv("CUSTODIAN_SESSION"); env == nullptr || *env == '\0') {
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Status::Unavailable("cannot create ", path.parent_path().string(), ": ", ec.message());
    ::chmod(path.parent_path().c_str(), 0700);
  }
  const std::string text = json{{"token", s.token},
                                {"db", s.db},
                                {"images", s.images},
                                {"key", s.key},
                                {"signing_key", s.signing_key}}
                               .dump() +
                           "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot write the session file ", path.string());
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Status::Unavailable("cannot write the session file ", path.string());
  return Status::Ok();
}

void RemoveSession() {
  auto path = SessionPath();
  std::error_code ec;
  if (path.ok()) fs::remove(*path, ec);
}

std::string EnvOr(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* v = std::getenv(env);
  return v ? std::string(v) : std::string();
}

// The flags with the session's values filling what they leave out. kInvalidArgument when
// the flags name another database than the session's.
Result<GovFlags> Resolve(GovFlags f, const SessionFile* s) {
  f.store.url = EnvOr(f.store.url, "CUSTODIAN_DB");
  f.signing_key = EnvOr(f.signing_key, "CUSTODIAN_SIGNING_KEY");
  if (s != nullptr) {
    if (f.store.url.empty()) f.store.url = s->db;
    if (f.store.url != s->db) {
      return Status::Unauthenticated("the session belongs to another database (", s->db,
                                     "); log in to this one with: custodian login");
    }
    if (f.store.images.empty()) f.store.images = s->images;
    if (f.store.key.empty()) f.store.key = s->key;
    if (f.signing_key.empty()) f.signing_key = s->signing_key;
  }
  if (f.store.url.empty()) return Status::InvalidArgument("no database; give --db URL or set CUSTODIAN_DB");
  if (f.signing_key.empty()) {
    fs::path images;
    if (!f.store.images.empty()) {
      images = f.store.images;
    } else if (f.store.url.rfind("sqlite://", 0) == 0) {
      images = fs::path(f.store.url.substr(9)).parent_path() / "images";
    } else {
      return Status::InvalidArgument(
          "a PostgreSQL store needs the agency signing key: give --signing-key FILE or set CUSTODIAN_SIGNING_KEY "
          "(or --images DIR to use agency.key beside it)");
    }
    f.signing_key = (images.parent_path() / "agency.key").string();
  }
  std::error_code ec;
  fs::path abs = fs::absolute(f.signing_key, ec);
  if (!ec) f.signing_key = abs.string();
  return f;
}

Result<Governed> Open(const GovFlags& f, bool create_key) {
  Governed g;
  CUSTODIAN_ASSIGN_OR_RETURN(g.store, OpenStoreFromFlags(f.store));
  // Every checkpoint the command signs goes to the system journal too (issue 23, finding 2).
  CUSTODIAN_ASSIGN_OR_RETURN(g.gov, policy::Governance::Open(*g.store, {.signing_key_file = f.signing_key,
                                                                          .create_key = create_key,
                                                                          .on_checkpoint = policy::PublishHeadToSyslog}));
  return g;
}

struct LoginArgs {
  GovFlags flags;
  std::string user, code;
  bool password_stdin = false, accept_notice = false;
  const CLI::Option* code_option = nullptr;  // --code, to tell "given empty" from "not given"
};

Result<std::string> ReadLine(std::string_view prompt) {
  if (::isatty(STDIN_FILENO)) std::cerr << prompt << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) return Status::InvalidArgument("no input for: ", prompt);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int RunLogin(const LoginArgs& a) {
  auto f = Resolve(a.flags, nullptr);
  if (!f.ok()) return FailWith("login", f.status());
  auto g = Open(*f, false);
  if (!g.ok()) return FailWith("login", g.status());
  const bool tty = ::isatty(STDIN_FILENO);
  std::string user = a.user;
  if (user.empty()) {
    if (!tty) return FailWith("login", Status::InvalidArgument("give --user NAME"));
    auto u = ReadLine("Username: ");
    if (!u.ok()) return FailWith("login", u.status());
    user = *u;
  }
  std::cerr << g->gov->system_use_notice() << "\n";
  bool accepted = a.accept_notice;
  if (!accepted && tty) {
    auto answer = ReadLine("Do you accept these terms? [y/N] ");
    accepted = answer.ok() && (*answer == "y" || *answer == "Y" || *answer == "yes");
  }
  std::string password;
  if (accepted) {
    if (!a.password_stdin && !tty) {
      return FailWith("login", Status::InvalidArgument("stdin is not a terminal; give --password-stdin"));
    }
    auto pw = a.password_stdin ? ReadLine("") : ReadSecret("Password: ");
    if (!pw.ok()) return FailWith("login", pw.status());
    password = *pw;
  }
  std::string code = a.code;
  const bool code_given = a.code_option != nullptr && a.code_option->count() > 0;
  if (accepted && !code_given && tty) {
    auto c = ReadLine("One-time code (Enter if MFA is not enrolled yet): ");
    if (c.ok()) code = *c;
  }
  auto logon = g->gov->Logon(
      {.username = user, .password = password, .totp_code = code, .notice_accepted = accepted, .source = "cli"});
  if (!logon.ok()) return FailWith("login", logon.status());
  Status saved = SaveSession({.token = logon->token,
                              .db = f->store.url,
                              .images = f->store.images,
                              .key = f->store.key,
                              .signing_key = f->signing_key});
  if (!saved.ok()) return FailWith("login", saved);
  const auto& p = logon->principal;
  std::cout << "logged in as " << p.username << " (" << policy::RoleName(p.role) << ", agency " << p.agency_code
            << "); the session ends by " << FormatUtc(logon->expires_at) << " or after "
            << g->gov->options().idle_timeout.count() << " idle minutes\n";
  if (p.must_enrol_totp) std::cout << "next: enrol multi-factor authentication with: custodian mfa enrol\n";
  if (p.must_change_password) std::cout << "next: change your password with: custodian passwd\n";
  return 0;
}

int RunLogout(const GovArgs& a) {
  auto g = OpenAsUser(a.flags);
  if (!g.ok()) {
    RemoveSession();
    if (g.status().code() == StatusCode::kUnauthenticated) {
      std::cout << "logged out (the session had already ended)\n";
      return 0;
    }
    return FailWith("logout", g.status());
  }
  Status st = g->gov->Logout(g->who);
  if (!st.ok()) return FailWith("logout", st);
  RemoveSession();
  std::cout << "logged out " << g->who.username << "\n";
  return 0;
}

int RunWhoami(const GovArgs& a) {
  return RunAsUser("whoami", a.flags, [](Governed& g) -> Status {
    const auto& p = g.who;
    std::cout << "user " << p.username << "\nrole " << policy::RoleName(p.role) << "\nagency " << p.agency_code << "\n";
    CUSTODIAN_ASSIGN_OR_RETURN(auto gates, g.gov->Gates(p));
    if (gates.missing.empty()) {
      std::cout << "gates: all passed; plate data is open to your role\n";
    } else {
      for (const auto& m : gates.missing) std::cout << "missing: " << m << "\n";
    }
    return Status::Ok();
  });
}

}  // namespace

void AddGovFlags(CLI::App* cmd, GovFlags* f) {
  AddStoreFlags(cmd, &f->store);
  cmd->add_option("--signing-key", f->signing_key,
                  "The agency's Ed25519 key file (default: $CUSTODIAN_SIGNING_KEY, else agency.key beside the SQLite "
                  "file or image folder)");
}

int FailWith(std::string_view what, const Status& st) {
  std::cerr << "custodian " << what << ": " << st.ToString();
  if (st.code() == StatusCode::kUnauthenticated && st.message().find("custodian login") == std::string::npos &&
      what != "login") {
    std::cerr << "; log in again with: custodian login";
  }
  std::cerr << "\n";
  return 1;
}

int RunGoverned(std::string_view what, Result<Governed> opened, const GovernedBody& body) {
  if (!opened.ok()) return FailWith(what, opened.status());
  if (Status st = body(*opened); !st.ok()) return FailWith(what, st);
  return 0;
}

int RunAsUser(std::string_view what, const GovFlags& flags, const GovernedBody& body) {
  return RunGoverned(what, OpenAsUser(flags), body);
}

Result<Governed> OpenAsUser(const GovFlags& flags) {
  CUSTODIAN_ASSIGN_OR_RETURN(auto session, LoadSession());
  if (!session) return Status::Unauthenticated("not logged in; log in with: custodian login");
  CUSTODIAN_ASSIGN_OR_RETURN(GovFlags f, Resolve(flags, &*session));
  CUSTODIAN_ASSIGN_OR_RETURN(Governed g, Open(f, false));
  auto who = g.gov->Authenticate(session->token, "cli");
  if (!who.ok()) {
    std::string why = who.status().message();
    for (std::string_view tail : {"; log on again", "; log on"}) {
      if (why.size() >= tail.size() && why.compare(why.size() - tail.size(), tail.size(), tail) == 0) {
        why.resize(why.size() - tail.size());
        break;
      }
    }
    return Status::Unauthenticated(why, "; log in again with: custodian login");
  }
  g.who = *who;
  return g;
}

Result<Governed> OpenAsSystem(const GovFlags& flags, std::string_view job, bool create_key) {
  CUSTODIAN_ASSIGN_OR_RETURN(GovFlags f, Resolve(flags, nullptr));
  CUSTODIAN_ASSIGN_OR_RETURN(Governed g, Open(f, create_key));
  g.who = policy::Governance::System(job);
  return g;
}

Result<std::string> ReadSecret(std::string_view prompt) {
  if (!::isatty(STDIN_FILENO)) return ReadLine("");
  std::cerr << prompt << std::flush;
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~tcflag_t(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  bool got = bool(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  if (!got) return Status::InvalidArgument("no input for: ", prompt);
  return line;
}

void RegisterSession(CLI::App& app, Action* run) {
  auto [login, login_args] = AddGovSubcommand<LoginArgs>(
      &app, "login", "Log in: accept the system-use notice, password, one-time code", run, RunLogin);
  login->add_option("--user", login_args->user, "Your username (asked when not given)");
  login->add_flag("--password-stdin", login_args->password_stdin, "Read the password as one line of stdin");
  login_args->code_option = login->add_option("--code", login_args->code, "The one-time code from your authenticator");
  login->add_flag("--accept-notice", login_args->accept_notice, "Accept the system-use notice without asking");

  AddGovSubcommand<GovArgs>(&app, "logout", "End the session", run, RunLogout);
  AddGovSubcommand<GovArgs>(&app, "whoami", "Your user, role, agency and the gates still to pass", run, RunWhoami);
}

}  // namespace custodian::app
