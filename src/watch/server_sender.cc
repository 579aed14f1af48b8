// ServerSender (see outbox.h): the outbox's reads to a Custodian server's camera ingest.
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "custodian/store/read_json.h"
#include "custodian/watch/outbox.h"

namespace custodian::watch {

namespace {

// The error of a refused request, in the server's words ({"error": {"code", "message"}}).
Status Refused(const httplib::Result& res) {
  const int status = res->status;
  std::string message = "HTTP " + std::to_string(status);
  auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object() && body["error"].contains("message") &&
      body["error"]["message"].is_string()) {
    message += ": " + body["error"]["message"].get<std::string>();
  }
  if (status == 401) return Status::Unauthenticated("the server refused the camera's API key (", message, ")");
  if (status == 403) return Status::PermissionDenied("the server refused the reads (", message, ")");
  if (status == 429 || status >= 500) return Status::Unavailable("the server could not take the reads (", message, ")");
  return Status::InvalidArgument("the server refused the reads (", message, ")");
}

}  // namespace

Outbox::Send ServerSender(ServerDestination d) {
  return [d = std::move(d)](std::span<const store::ReadInput> reads) -> Status {
    if (d.url.rfind("https://", 0) != 0) return Status::InvalidArgument("the server's URL must be https://...");
    if (d.api_key.empty()) return Status::InvalidArgument("the camera's API key is missing");
    httplib::Client cli(d.url);
    cli.enable_server_certificate_verification(true);
    if (!d.ca_file.empty()) cli.set_ca_cert_path(d.ca_file);
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(d.timeout).count();
    cli.set_connection_timeout(t, 0);
    cli.set_read_timeout(t, 0);
    cli.set_write_timeout(t, 0);
    const httplib::Headers headers{{"Authorization", "Bearer " + d.api_key}};
    const size_t step = size_t(std::max(1, d.max_batch));
    for (size_t at = 0; at < reads.size(); at += step) {
      nlohmann::json body = {{"reads", nlohmann::json::array()}};
      for (size_t i = at; i < reads.size() && i < at + step; ++i) body["reads"].push_back(store::ReadInputToJson(reads[i]));
      auto res = cli.Post("/api/v1/reads", headers, body.dump(), "application/json");
      if (!res) {
        return Status::Unavailable("cannot reach ", d.url, ": ", httplib::to_string(res.error()),
                                   res.error() == httplib::Error::SSLServerVerification ? " (certificate not trusted)"
                                                                                         : "");
      }
      if (res->status != 201 && res->status != 200) return Refused(res);
    }
    return Status::Ok();
  };
}

}  // namespace custodian::watch
