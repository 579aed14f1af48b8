// The API's routes, one function per area, each adding its area's routes to the context's
// table. The server calls them in this order, which is the order of Routes() and of
// api/openapi.json (tools/openapi_routes.py follows the calls in server.cc). Internal.
#pragma once

#include "server/route_context.h"
#include "server/route_helpers.h"

namespace custodian::server::internal {

void RegisterPublicRoutes(ServerContext& ctx);     // /healthz, /metrics, notice, transparency
void RegisterSessionRoutes(ServerContext& ctx);    // logon, logoff, /me: MFA, password, acknowledgment
void RegisterReadsRoutes(ServerContext& ctx);      // plate searches, one read, its images
void RegisterIngestRoutes(ServerContext& ctx);     // reads from cameras (device keys)
void RegisterAlertsRoutes(ServerContext& ctx);     // alerts, the live stream, their review
void RegisterHotlistsRoutes(ServerContext& ctx);   // hotlists and their entries
void RegisterHoldsRoutes(ServerContext& ctx);      // legal holds
void RegisterUsersRoutes(ServerContext& ctx);      // accounts, acknowledgment approvals
void RegisterReferenceRoutes(ServerContext& ctx);  // purposes, roles
void RegisterCamerasRoutes(ServerContext& ctx);    // cameras, agencies, camera keys
void RegisterAuditRoutes(ServerContext& ctx);      // the access log, misuse flags, reviews
void RegisterSharingRoutes(ServerContext& ctx);    // sharing grants
void RegisterRequestsRoutes(ServerContext& ctx);   // records requests
void RegisterAccuracyRoutes(ServerContext& ctx);   // accuracy audits
void RegisterIncidentsRoutes(ServerContext& ctx);  // breach incidents and notices
void RegisterRetentionRoutes(ServerContext& ctx);  // retention periods and purges
void RegisterEvidenceRoutes(ServerContext& ctx);   // hold evidence exports
void RegisterReportsRoutes(ServerContext& ctx);    // access and sharing reports, review list

}  // namespace custodian::server::internal
