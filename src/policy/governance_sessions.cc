// Governance: logon (with the failed-logon lockout), sessions, logout and password changes.
#include "policy/governance_internal.h"

#include <sodium.h>

namespace custodian::policy {

using json = nlohmann::json;
using store::Txn;
using namespace governance_internal;
using internal::Hex;
using internal::Sha256Hex;

namespace {

std::string RandomToken() {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  return Hex(b, sizeof b);
}

}  // namespace

// ---- Logon and sessions ----

namespace {
// An Argon2id hash of nothing anyone knows: a logon for an unknown account is checked
// against it, so it costs what a real one does.
const std::string& DecoyHash() {
  static const std::string hash = [] {
    auto h = HashPassword("custodian decoy password, never issued");
    return h.ok() ? *h : std::string();
  }();
  return hash;
}
}  // namespace

Result<bool> Governance::CountFailure(const Principal& tried, int64_t user_id, LogEvent e, bool reserved) {
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  const int64_t window_start = now_ms - options_.failed_logon_window.count() * kMsPerMinute;
  bool locked = false;
  Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    if (!reserved) CUSTODIAN_RETURN_IF_ERROR(InsertFailedLogon(txn, user_id, now_ms));
    CUSTODIAN_ASSIGN_OR_RETURN(int64_t n, FailedLogonsAfter(txn, user_id, window_start));
    CUSTODIAN_RETURN_IF_ERROR(Append(txn, e, heads));
    if (n < options_.max_failed_logons) return Status::Ok();
    // Only the change that locks it logs the lockout (a conditional update: parallel
    // failures lock it once).
    CUSTODIAN_ASSIGN_OR_RETURN(bool changed,
                               LockIfActive(txn, user_id,
                                            std::to_string(options_.max_failed_logons) + " failed logons within " +
                                                std::to_string(options_.failed_logon_window.count()) + " minutes"));
    locked = true;
    if (!changed) return Status::Ok();
    LogEvent l = Event(tried, "lockout", kAllowed);
    l.records = 1;
    l.detail = "account locked after " + std::to_string(n) + " failed attempts";
    return Append(txn, l, heads);
  });
  if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); refused");
  return locked;
}

Result<LogonResult> Governance::Logon(const LogonRequest& r) {
  const TimePoint now = options_.clock->Now();
  const int64_t now_ms = ToUnixMillis(now);
  Principal tried;
  tried.username = Clip(r.username);
  tried.source = r.source.empty() ? "cli" : Clip(r.source);
  LogEvent e = Event(tried, "logon", kDenied);
  // Every refusal of an account's logon below says the same to the caller and costs the
  // same (one Argon2id run): no account enumeration by message or by time. The log says why.
  Status refused = Status::Unauthenticated("logon refused: wrong username, password or code, or the account "
                                           "cannot log on (ask the ALPR coordinator)");
  auto refuse = [&](std::string why, Status to_caller) -> Status {
    return LogOutcome(*this, tried, e, Outcome::Refused(std::move(to_caller)).Detail(std::move(why)));
  };
  if (!r.notice_accepted) {
    return refuse("system-use notice not accepted",
                  Status::Unauthenticated("the system-use notice must be accepted before logon"));
  }
  if (r.password.size() > 1024 || r.totp_code.size() > 16) return refuse("oversized credentials", refused);
  std::optional<UserRow> user;
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(user, FindUser(txn, r.username));
    return Status::Ok();
  }));
  if (!user) {
    (void)VerifyPassword(DecoyHash(), r.password);
    return refuse("no such account", refused);
  }
  UserRow& u = *user;
  tried.agency_code = e.agency_code = u.info.agency_code;
  const int64_t inactive_cutoff =
      now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(options_.inactivity_limit).count();
  if (u.info.state != UserState::kActive) {
    (void)VerifyPassword(u.password_hash, r.password);
    return refuse("account " + std::string(UserStateName(u.info.state)) +
                      (u.info.state_reason.empty() ? "" : " (" + u.info.state_reason + ")"),
                  refused);
  }
  if (ToUnixMillis(u.info.last_logon.value_or(u.info.created_at)) < inactive_cutoff) {
    (void)VerifyPassword(u.password_hash, r.password);
    LogEvent d = Event(tried, "disable_inactive", kAllowed);
    d.records = 1;
    d.terms = json{{"usernames", json::array({u.info.username})}}.dump();
    d.detail = "disabled at logon: no logon for " + std::to_string(options_.inactivity_limit.count()) + " days";
    CUSTODIAN_RETURN_IF_ERROR(
        RecordWith(tried, d, [&](Txn& txn) { return UpdateState(txn, u.info.id, UserState::kDisabled, "inactive"); }));
    return refuse("account inactive; disabled", refused);
  }
  if (u.info.access_expires && *u.info.access_expires <= now) {
    (void)VerifyPassword(u.password_hash, r.password);
    return refuse("access expired", refused);
  }
  // Reserve this attempt before the password is checked: with max_failed_logons failures
  // already in the window it is refused unchecked (and the account locked), so parallel
  // guesses cannot outrun the lockout.
  const int64_t window_start = now_ms - options_.failed_logon_window.count() * kMsPerMinute;
  bool over = false;
  {
    LogEvent over_entry = e;
    over_entry.detail = "too many failed logons in the window; not checked";
    Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
      CUSTODIAN_ASSIGN_OR_RETURN(int64_t n, FailedLogonsAfter(txn, u.info.id, window_start));
      if (n < options_.max_failed_logons) {
        // Counted as a failure until the logon succeeds (which clears the window).
        return InsertFailedLogon(txn, u.info.id, now_ms);
      }
      over = true;
      CUSTODIAN_ASSIGN_OR_RETURN(bool changed, LockIfActive(txn, u.info.id, "too many failed logons"));
      CUSTODIAN_RETURN_IF_ERROR(Append(txn, over_entry, heads));
      if (!changed) return Status::Ok();
      LogEvent l = Event(tried, "lockout", kAllowed);
      l.records = 1;
      l.detail = "account locked: logons beyond " + std::to_string(options_.max_failed_logons) + " failures";
      return Append(txn, l, heads);
    });
    if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); logon refused");
    if (over) {
      (void)VerifyPassword(u.password_hash, r.password);
      return refused;
    }
  }
  // A wrong password or code: the reserved failure stands; at the limit the account locks.
  auto fail = [&](std::string why) -> Status {
    e.detail = std::move(why);
    auto locked = CountFailure(tried, u.info.id, e, /*reserved=*/true);
    if (!locked.ok()) return locked.status();
    return refused;
  };
  if (!VerifyPassword(u.password_hash, r.password)) return fail("wrong password");
  int64_t step = u.totp_last_step;
  std::string reseal;  // the secret sealed anew with the seal key, when it was a legacy one
  if (u.info.totp_enrolled) {
    CUSTODIAN_ASSIGN_OR_RETURN(Impl::Opened opened, Impl::Open(seal_key_, signer_, u.totp_secret));
    if (opened.legacy) reseal = Impl::Seal(seal_key_, opened.plain);
    CUSTODIAN_ASSIGN_OR_RETURN(auto secret, Base32Decode(opened.plain));
    auto matched = VerifyTotp(secret, r.totp_code, now, u.totp_last_step, options_.totp);
    if (!matched.ok()) return fail("one-time code refused: " + matched.status().message());
    step = *matched;
  }
  LogonResult out;
  out.token = RandomToken();
  out.expires_at = now + options_.session_lifetime;
  Principal& p = out.principal;
  p.user_id = u.info.id;
  p.username = u.info.username;
  p.agency_code = u.info.agency_code;
  p.role = u.info.role;
  p.source = tried.source;
  p.must_enrol_totp = !u.info.totp_enrolled;
  p.must_change_password = u.info.must_change_password || u.info.password_set_at + options_.password_max_age <= now;
  p.token_sha = Sha256Hex(out.token);
  LogEvent ok = Event(p, "logon", kAllowed);
  ok.detail = std::string(u.info.totp_enrolled ? "password and one-time code" : "password; MFA enrolment required") +
              (p.must_change_password ? "; password change required" : "");
  // The account must still be active, and the code's step still unused, when the session
  // is written (a conditional update: of two logons with one code, one wins).
  bool raced = false;
  Status st = LoggedTransact([&](Txn& txn, Heads& heads) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(bool changed, RecordLogon(txn, u.info.id, now_ms, step, u.info.totp_enrolled));
    if (!changed) {
      raced = true;
      e.detail = "the one-time code was used by another logon, or the account changed, during this logon";
      return Append(txn, e, heads);
    }
    CUSTODIAN_RETURN_IF_ERROR(ClearFailedLogons(txn, u.info.id));
    if (!reseal.empty()) CUSTODIAN_RETURN_IF_ERROR(ResealTotpSecret(txn, u.info.id, reseal, u.totp_secret));
    CUSTODIAN_RETURN_IF_ERROR(InsertSession(txn, p.token_sha, u.info.id, p.source, now_ms));
    return Append(txn, ok, heads);
  });
  if (!st.ok()) return Status::Unavailable("the access log cannot be written (", st.message(), "); logon refused");
  if (raced) return refused;
  return out;
}

Result<Principal> Governance::Authenticate(const std::string& token, const std::string& source) {
  return Session(token, source, /*refresh=*/true);
}

Result<Principal> Governance::Revalidate(const std::string& token, const std::string& source) {
  return Session(token, source, /*refresh=*/false);
}

Result<Principal> Governance::Session(const std::string& token, const std::string& source, bool refresh) {
  const TimePoint now = options_.clock->Now();
  const int64_t now_ms = ToUnixMillis(now);
  const std::string sha = Sha256Hex(token);
  Principal p;
  std::string ended;  // why the session ends now ("" when it is live)
  bool touch = false;  // last use recorded more than a minute ago: record this one
  CUSTODIAN_RETURN_IF_ERROR(store_.ReadOnly([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto session, FindSession(txn, sha));
    if (!session) return Status::Unauthenticated("no such session; log on");
    if (session->ended) return Status::Unauthenticated("the session ended (", session->end_reason, "); log on again");
    const UserRow& u = session->user;
    if (now_ms - session->last_seen_ms > options_.idle_timeout.count() * kMsPerMinute) {
      ended = "idle for more than " + std::to_string(options_.idle_timeout.count()) + " minutes";
    } else if (now_ms - session->created_ms >=
               std::chrono::duration_cast<std::chrono::milliseconds>(options_.session_lifetime).count()) {
      ended = "session older than " + std::to_string(options_.session_lifetime.count()) + " hours";
    } else if (u.info.state != UserState::kActive) {
      ended = "account " + std::string(UserStateName(u.info.state));
    } else if (u.info.access_expires && *u.info.access_expires <= now) {
      ended = "access expired";
    }
    if (!ended.empty()) return Status::Ok();
    // The idle timer is kept to the minute: a request within a minute of the last
    // recorded one writes nothing (reads stay off the writer).
    touch = refresh && now_ms - session->last_seen_ms >= kMsPerMinute;
    p.user_id = u.info.id;
    p.username = u.info.username;
    p.agency_code = u.info.agency_code;
    p.role = u.info.role;
    p.source = source.empty() ? "cli" : Clip(source);
    p.must_enrol_totp = !u.info.totp_enrolled;
    p.must_change_password = u.info.must_change_password || u.info.password_set_at + options_.password_max_age <= now;
    p.token_sha = sha;
    return Status::Ok();
  }));
  if (!ended.empty()) {
    CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) { return EndSession(txn, sha, now_ms, ended); }));
    return Status::Unauthenticated("the session ended (", ended, "); log on again");
  }
  if (touch) {
    CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) { return TouchSession(txn, sha, now_ms); }));
  }
  return p;
}

Status Governance::Logout(const Principal& who) {
  LogEvent e = Event(who, "logout", kAllowed);
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  return RecordWith(who, e, [&](Txn& txn) { return EndSession(txn, who.token_sha, now_ms, "logout"); });
}

Status Governance::ChangePassword(const Principal& who, const std::string& current, const std::string& next) {
  if (who.system || who.user_id == 0) return Status::PermissionDenied("the system account has no password");
  std::string hash;
  CUSTODIAN_RETURN_IF_ERROR(store_.Transact([&](Txn& txn) -> Status {
    CUSTODIAN_ASSIGN_OR_RETURN(auto found, PasswordHashOf(txn, who.user_id));
    if (!found) return Status::NotFound("the account is gone");
    hash = *found;
    return Status::Ok();
  }));
  LogEvent e = Event(who, "change_password", kDenied);
  if (!VerifyPassword(hash, current)) {
    // Counted toward the lockout like a wrong logon: a stolen session cannot guess on.
    e.detail = "current password wrong";
    CUSTODIAN_ASSIGN_OR_RETURN(bool locked, CountFailure(who, who.user_id, e));
    return locked ? Status::PermissionDenied("the current password is wrong; too many failures: the account is now "
                                             "locked and the ALPR coordinator must unlock it")
                  : Status::PermissionDenied("the current password is wrong");
  }
  if (Status st = CheckNewPassword(next, options_.password_rules, banned_, who.username); !st.ok()) {
    return LogOutcome(*this, who, e, Outcome::Refused(st).Detail("new password refused: " + st.message()));
  }
  if (VerifyPassword(hash, next)) {
    return LogOutcome(*this, who, e,
                      Outcome::Refused(Status::InvalidArgument("the new password must differ from the current one"))
                          .Detail("new password equals the old one"));
  }
  CUSTODIAN_ASSIGN_OR_RETURN(std::string new_hash, HashPassword(next));
  e.outcome = std::string(kAllowed);
  e.detail = "password changed";
  const int64_t now_ms = ToUnixMillis(options_.clock->Now());
  // Every other session of the account ends: a password changed because it leaked must
  // shut out whoever used it.
  return RecordWith(who, e, [&](Txn& txn) -> Status {
    CUSTODIAN_RETURN_IF_ERROR(UpdatePassword(txn, who.user_id, new_hash, now_ms, /*must_change=*/false));
    CUSTODIAN_RETURN_IF_ERROR(ClearFailedLogons(txn, who.user_id));
    return EndSessions(txn, who.user_id, now_ms, "password changed in another session", /*except_sha=*/who.token_sha);
  });
}

}  // namespace custodian::policy
