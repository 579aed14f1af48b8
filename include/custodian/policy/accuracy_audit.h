// Accuracy audits (policy 4.A.4 and 5.E): a uniform random sample of the reads captured
// in a period, a person's verdict on each (correct, or the true plate), and accuracy per
// camera; and the correction of a wrong read, its original kept in the read's history.
//
// Basic usage:
//   auto id = policy::StartAudit(gov, coord, {.from = month_start, .to = month_end,
//                                             .sample_size = 50, .seed = 2026, .reference = "AA-2026-06"});
//   policy::VerifyItem(gov, coord, *id, read_id, {.correct = false, .true_plate = "7ABC128"});
//   auto result = policy::AuditAccuracy(gov, coord, *id);
//   auto fixed = policy::CorrectRead(gov, coord, read_id, "7ABC128", "audit AA-7: 3 was an 8", "AA-7");
//
// Looking at sampled reads is plate-data access: each step passes the plate-data gates
// (accuracy_audit for each data class involved, purpose "accuracy_audit") and is logged.
// The case number is the caller's reference when the audit starts, and "AA-<id>" after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/policy/governance.h"

namespace custodian::policy {

struct AuditSpec {
  // Only these cameras. Default (empty): every camera.
  std::vector<std::string> camera_ids;
  // Reads captured in [from, to). REQUIRED; from < to.
  TimePoint from, to;
  // How many reads to draw (all of them when fewer exist), 1..10000. Default: 50.
  int sample_size = 50;
  // The sample is a function of the reads and the seed: the same seed draws the same
  // reads. Default: 0.
  uint64_t seed = 0;
  // The audit's reference, used as the case number of the start. REQUIRED (a case-number
  // shape: 3..40 characters with a digit).
  std::string reference;
};

struct AuditItem {
  int64_t read_id = 0;
  std::string camera_id;
  std::string plate;                  // as read when sampled
  std::optional<bool> correct;        // unset until verified
  std::string true_plate;             // for a wrong read
  std::string verified_by;
};

struct Verdict {
  bool correct = true;
  // REQUIRED when !correct: the plate actually on the vehicle.
  std::string true_plate;
};

struct CameraAccuracy {
  std::string camera_id;
  int64_t sampled = 0;
  int64_t verified = 0;
  int64_t correct = 0;
  double accuracy = 0;  // correct / verified; 0 when none verified
};

struct AuditResult {
  int64_t audit_id = 0;
  std::vector<CameraAccuracy> cameras;  // sorted by camera id
  CameraAccuracy overall;               // camera_id "" : every camera together
  std::vector<AuditItem> items;         // by read id
};

// Draws the sample and stores it; returns the audit id. kInvalidArgument for a bad spec;
// kNotFound for an unknown camera; kPermissionDenied (logged) when a gate fails.
Result<int64_t> StartAudit(Governance& gov, const Principal& by, const AuditSpec& spec);

// Records `verdict` on read `read_id` of audit `audit_id` (a later verdict replaces an
// earlier one). kNotFound when the read is not in the sample.
Status VerifyItem(Governance& gov, const Principal& by, int64_t audit_id, int64_t read_id, const Verdict& verdict);

// Accuracy per camera from the verdicts so far.
Result<AuditResult> AuditAccuracy(Governance& gov, const Principal& by, int64_t audit_id);

// Corrects read `read_id` to `new_plate` (store::ReadStore::CorrectRead): the original
// stays in the read's history, with `reason` and who corrected it. Plate-data access:
// ops::kAccuracyAudit on the read's data class, purpose "accuracy_audit", case number
// `case_reference` (an audit's AuditCaseNumber, or another reference). Logged as
// "read_correction" with the read id and the old and new plates, before the change (a
// change that then fails leaves a "failed" entry). Returns the read after. kNotFound
// (logged) for an unknown read; kInvalidArgument (logged) for a bad plate or reason.
Result<store::StoredRead> CorrectRead(Governance& gov, const Principal& by, int64_t read_id,
                                      const std::string& new_plate, const std::string& reason,
                                      const std::string& case_reference);

// The corrections of read `read_id`, oldest first (same gates as CorrectRead; logged
// as "read_history").
Result<std::vector<store::ReadCorrection>> ReadHistory(Governance& gov, const Principal& by, int64_t read_id,
                                                       const std::string& case_reference);

// The case number of an audit's later steps: "AA-<id>".
std::string AuditCaseNumber(int64_t audit_id);

}  // namespace custodian::policy
