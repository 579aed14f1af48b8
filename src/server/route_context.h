// What the route handlers share, and the route table they add to. Internal.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custodian/core/status.h"
#include "custodian/policy/governance.h"
#include "custodian/server/server.h"
#include "server/alert_streams.h"
#include "server/exports.h"
#include "server/metrics.h"
#include "server/middleware.h"
#include "server/request.h"

namespace custodian::server::internal {

// A route: what Routes() and the OpenAPI file show, and its handler.
struct Route {
  RouteInfo info;
  std::function<Status(Ctx&)> handler;
};

// The governance layer (the handlers' only way to the store), the server's options and its
// helpers, as the route handlers reach them. The server owns all of them and this context;
// handlers capture the context by reference.
struct ServerContext {
  policy::Governance& gov;
  const ServerOptions& options;
  Metrics& metrics;
  AlertStreams& streams;
  LogonLimiter& logons;
  const CsrfKey& csrf;
  ExportFolders& exports;
  std::vector<Route>& routes;

  // Adds a route: method, OpenAPI path, auth kind ("public", "session", "user",
  // "device"), and the ops:: operation it needs ("" when none). tools/openapi_routes.py
  // reads these calls, so the first four arguments stay literal.
  void Add(std::string method, std::string path, std::string auth, std::string_view op,
           std::function<Status(Ctx&)> handler) {
    routes.push_back({{std::move(method), std::move(path), std::move(auth), std::string(op)}, std::move(handler)});
  }
};

}  // namespace custodian::server::internal
