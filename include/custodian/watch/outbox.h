// The disk-backed outbox of custodian watch: every voted read is written here (an SQLite
// file, synchronous) before anything tries to deliver it, and leaves only when its
// destination (a Custodian server, a local store) has acknowledged it. A server outage, a
// full network or a restart of watch loses nothing; event ids make a retry of a read that
// did arrive a duplicate the destination recognises, not a second read.
//
// Basic usage:
//   auto box = watch::Outbox::Open({.file = dir / "outbox.db", .clock = &clock});
//   CUSTODIAN_RETURN_IF_ERROR((*box)->Put(read));          // durable on return
//   auto sent = (*box)->Deliver([&](std::span<const store::ReadInput> reads) { return Send(reads); });
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "custodian/core/clock.h"
#include "custodian/core/status.h"
#include "custodian/store/types.h"

namespace custodian::watch {

struct OutboxOptions {
  // The SQLite file (created with its folder when absent). REQUIRED.
  std::filesystem::path file;
  // Retry times and the time of each read queued. REQUIRED.
  const Clock* clock = nullptr;
  // Reads it holds at the most; Put refuses more (kUnavailable, saying the outbox is full),
  // and never drops a queued read. Default: 100,000.
  int64_t max_reads = 100'000;
  // near_full() from this share of max_reads on, for a warning well before full. Default: 0.8.
  double warn_share = 0.8;
  // After a failed delivery the next try waits this long, doubling each failure in a row up
  // to max_retry. Defaults: 1 s and 60 s.
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{60'000};
};

struct OutboxFigures {
  int64_t reads = 0;                 // queued
  std::optional<TimePoint> oldest;   // when the oldest queued read was queued
  int failures_in_a_row = 0;         // deliveries that failed since the last success
  std::optional<TimePoint> next_try; // when Deliver tries again after a failure
};

// Thread-safe.
class Outbox {
 public:
  // kUnavailable when the file cannot be opened or created.
  static Result<std::unique_ptr<Outbox>> Open(const OutboxOptions& options);
  ~Outbox();

  // Queues `read`, durably (committed to disk) on return. kInvalidArgument without an
  // event id (a retry could not be recognised); a read whose event id and camera are
  // queued already is not queued twice (OK). kUnavailable when full or when the disk fails.
  Status Put(const store::ReadInput& read);

  // The destination: OK when every read of the batch has arrived (or had arrived before); an
  // error when it could not take them (they stay, and the next try waits).
  using Send = std::function<Status(std::span<const store::ReadInput> reads)>;

  // Sends the oldest reads, `batch` at a time, oldest first, until the outbox is empty, a
  // send fails or `max_batches` were sent; a batch acknowledged is removed. Before the
  // retry time after a failure, sends nothing. Returns the reads delivered; an error only
  // when the outbox itself fails (a send's failure is counted in figures()).
  Result<int64_t> Deliver(const Send& send, int batch = 50, int max_batches = 1000);

  OutboxFigures figures();
  bool near_full();

 private:
  struct Impl;
  explicit Outbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A Custodian server as the outbox's destination: its camera ingest (POST /api/v1/reads)
// over HTTPS with the camera's API key.
struct ServerDestination {
  // "https://host:port". REQUIRED.
  std::string url;
  // The camera's API key ("ck_..."). REQUIRED.
  std::string api_key;
  // A PEM file of the certificate(s) to trust, e.g. the server's own self-signed one.
  // Default (empty): the system's certificate authorities.
  std::string ca_file;
  // Connect, send and answer timeouts. Default: 10 s.
  std::chrono::seconds timeout{10};
  // At most this many reads a request (the server's max_ingest_batch). Default: 100.
  int max_batch = 100;
};

// A Send that posts reads to the server. OK when the server stored them (a read it had
// already is acknowledged as a duplicate); kUnavailable when it cannot be reached, the
// certificate is not trusted, or it answers 5xx or 429; kUnauthenticated, kPermissionDenied
// or kInvalidArgument with the server's message for its other refusals. Whatever the error,
// the reads stay in the outbox for the next try. kInvalidArgument from the first send for a
// URL that is not https://.
Outbox::Send ServerSender(ServerDestination destination);

}  // namespace custodian::watch
