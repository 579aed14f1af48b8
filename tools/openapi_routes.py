#!/usr/bin/python3
"""Writes api/openapi.json from the route registrations under src/server/ (method, path,
auth kind, operation) and the summaries below. Each area's routes are added in
src/server/routes/<area>.cc by one Register<Area>Routes function; the paths appear in the
order src/server/server.cc calls those functions, which is the server's route order. The
server test checks that the file and the running server's routes agree, so a new route
needs a line here and a re-run:
    /usr/bin/python3 tools/openapi_routes.py
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUMMARIES = {
    ('GET', '/healthz'): 'Liveness and database reachability',
    ('GET', '/metrics'): 'Prometheus metrics (no plate data)',
    ('GET', '/api/v1/notice'): 'The system-use notice and the acknowledgment statements',
    ('GET', '/api/v1/transparency'): 'Public transparency figures (aggregate only, never a plate)',
    ('POST', '/api/v1/session'): 'Log on with password and one-time code; sets the session cookie',
    ('DELETE', '/api/v1/session'): 'Log off',
    ('GET', '/api/v1/me'): 'The current user, permissions, missing gates and CSRF token',
    ('POST', '/api/v1/me/mfa/enrol'): 'Begin TOTP enrolment (secret shown once)',
    ('POST', '/api/v1/me/mfa/confirm'): 'Confirm TOTP enrolment with a code',
    ('POST', '/api/v1/me/password'): 'Change the password',
    ('POST', '/api/v1/me/acknowledgment'): 'Sign the ALPR policy acknowledgment',
    ('GET', '/api/v1/reads'): 'Search plate reads (purpose and case required; logged)',
    ('GET', '/api/v1/reads/{id}'): 'One read (purpose and case required; logged)',
    ('GET', '/api/v1/reads/{id}/image'): "A read's plate crop or full frame (logged)",
    ('POST', '/api/v1/reads'): 'Ingest a batch of reads from a camera (API key)',
    ('GET', '/api/v1/alerts'): 'Hotlist alerts visible to the user',
    ('GET', '/api/v1/alerts/stream'): 'Live alerts (Server-Sent Events)',
    ('POST', '/api/v1/alerts/{id}/acknowledge'): 'Acknowledge an alert',
    ('POST', '/api/v1/alerts/{id}/confirm'): 'Confirm an alert after checking the image against the hotlist record',
    ('POST', '/api/v1/alerts/{id}/dismiss'): 'Dismiss an alert as a misread',
    ('GET', '/api/v1/hotlists'): 'Hotlists',
    ('POST', '/api/v1/hotlists'): 'Create or update a hotlist',
    ('POST', '/api/v1/hotlists/{name}/entries'): 'Import hotlist entries (CSV or CA DOJ SVS text body)',
    ('GET', '/api/v1/holds'): 'Legal holds',
    ('POST', '/api/v1/holds'): 'Place a legal hold',
    ('POST', '/api/v1/holds/{id}/release'): 'Release a legal hold',
    ('GET', '/api/v1/users'): 'Accounts',
    ('POST', '/api/v1/users'): 'Create an account (one-time password shown once)',
    ('POST', '/api/v1/users/{username}/{action}'):
        'Account actions: unlock, separate, role, flag-compromised, reset-mfa, reset-password, training, approve',
    ('GET', '/api/v1/purposes'): 'Purpose codes a query may state, and the forbidden ones',
    ('GET', '/api/v1/roles'): 'Roles and the permission matrix',
    ('GET', '/api/v1/cameras'): 'Cameras (no plate data)',
    ('POST', '/api/v1/agencies'): 'Register an agency (e.g. a partner before a sharing grant)',
    ('POST', '/api/v1/cameras'): 'Register or update a camera',
    ('POST', '/api/v1/cameras/{id}/keys'): 'Issue an API key for a camera (shown once)',
    ('GET', '/api/v1/keys'): 'API keys',
    ('DELETE', '/api/v1/keys/{id}'): 'Revoke an API key',
    ('GET', '/api/v1/audit/log'): 'Read the access log (itself logged)',
    ('GET', '/api/v1/audit/verify'): "Verify the access log's hash chain and signed checkpoints",
    ('GET', '/api/v1/audit/flags'): 'Misuse flags for review',
    ('POST', '/api/v1/audit/reviews'): 'Record the weekly access-log review',
    ('GET', '/api/v1/grants'): 'Sharing grants',
    ('POST', '/api/v1/grants'): 'Grant sharing to another California public agency',
    ('POST', '/api/v1/acknowledgments/{username}/approve'): "Approve a user's signed acknowledgment (supervisor or coordinator)",
    ('POST', '/api/v1/grants/{id}/attest'): "Record the partner's signed attestation (the grant takes force)",
    ('POST', '/api/v1/grants/{id}/revoke'): 'Revoke a sharing grant',
    ('POST', '/api/v1/requests'): 'Submit a records request (the electronic data and records request form)',
    ('GET', '/api/v1/requests'): 'Records requests the user may see (confidential)',
    ('GET', '/api/v1/requests/{id}'): 'One records request',
    ('POST', '/api/v1/requests/{id}/{action}'):
        'Records request steps: director-approve, approve (coordinator), deny, fulfil (export)',
    ('POST', '/api/v1/audits'): 'Start an accuracy audit (a random sample of reads)',
    ('GET', '/api/v1/audits/{id}'): "An accuracy audit's items and accuracy per camera",
    ('POST', '/api/v1/audits/{id}/items/{read_id}'): 'Record the verdict on a sampled read',
    ('POST', '/api/v1/incidents'): 'Record the facts of a breach incident',
    ('GET', '/api/v1/incidents/{id}/notice'):
        'The breach notice for an account and window (format=text, or html as a download)',
    ('GET', '/api/v1/retention'): 'Retention periods in force and the purge log, newest first',
    ('POST', '/api/v1/retention/purge'): 'Run the retention purge now',
    ('POST', '/api/v1/holds/{id}/export'): "Export a hold's evidence (signed manifest) into the export folder",
    ('GET', '/api/v1/audit/report'): 'Access report: plate-data entries counted by user, plate, purpose and case',
    ('GET', '/api/v1/audit/reviews'): 'Recorded access-log reviews, and whether the weekly review is overdue',
    ('GET', '/api/v1/sharing/report'): 'Sharing report: every grant and partner agencies\' plate-data activity',
}


def snake(name):
    return re.sub(r'(?<!^)([A-Z])', r'_\1', name).lower()


ROUTE = re.compile(r'Add\("(\w+)", "([^"]+)", "(\w+)", (?:"([^"]*)"|policy::ops::k(\w+))')


def route_sources():
    """The text of every file that adds routes, in the order server.cc registers them."""
    server_dir = ROOT / 'src/server'
    server = (server_dir / 'server.cc').read_text()
    defined = {}  # Register<Area>Routes -> the file defining it
    for f in sorted(server_dir.rglob('*.cc')):
        names = re.findall(r'^void (Register\w+Routes)\(', f.read_text(), re.M)
        if len(names) > 1:
            sys.exit(f'{f.relative_to(ROOT)} defines {", ".join(names)}: one Register...Routes function a file')
        for name in names:
            defined[name] = f
    called = re.findall(r'^\s*(Register\w+Routes)\(', server, re.M)
    missing = [name for name in called if name not in defined]
    if missing:
        sys.exit(f'server.cc calls {", ".join(missing)}, defined nowhere under src/server')
    files = [defined[name] for name in called]
    for f in sorted(server_dir.rglob('*.cc')):
        if f not in files and ROUTE.search(f.read_text()):
            sys.exit(f'{f.relative_to(ROOT)} adds routes outside a Register...Routes function server.cc calls')
    return [f.read_text() for f in files]


def main():
    routes = [r for text in route_sources() for r in ROUTE.findall(text)]
    paths = {}
    for method, path, auth, op_text, op_const in routes:
        if (method, path) not in SUMMARIES:
            sys.exit(f'{method} {path}: add a summary to tools/openapi_routes.py')
        op = op_text or snake(op_const)
        o = {'summary': SUMMARIES[(method, path)], 'x-custodian-auth': auth,
             'responses': {'200': {'description': 'OK'}, '400': {'$ref': '#/components/responses/Error'},
                           '401': {'$ref': '#/components/responses/Error'},
                           '403': {'$ref': '#/components/responses/Error'}}}
        if op:
            o['x-custodian-operation'] = op
        params = [{'name': p, 'in': 'path', 'required': True, 'schema': {'type': 'string'}}
                  for p in re.findall(r'\{(\w+)\}', path)]
        if params:
            o['parameters'] = params
        o['security'] = [] if auth == 'public' else [{'apiKey': []}] if auth == 'device' else [{'session': []}]
        paths.setdefault(path, {})[method.lower()] = o
    doc = {
        'openapi': '3.0.3',
        'info': {'title': 'Custodian ALPR API', 'version': '1',
                 'description': 'HTTPS only. People authenticate with password + TOTP (POST /api/v1/session) and '
                                'send the X-CSRF-Token header on every non-GET request; cameras use per-device API '
                                'keys. Every access to plate data states a purpose and a case number and is written '
                                'to the tamper-evident access log. Errors are {"error":{"code","message"}}.'},
        'servers': [{'url': 'https://localhost:8443'}],
        'components': {
            'securitySchemes': {'session': {'type': 'apiKey', 'in': 'cookie', 'name': 'custodian_session'},
                                'apiKey': {'type': 'http', 'scheme': 'bearer', 'description': 'ck_ + 64 hex digits'}},
            'responses': {'Error': {'description': 'An error', 'content': {'application/json': {'schema': {
                'type': 'object', 'properties': {'error': {'type': 'object', 'properties': {
                    'code': {'type': 'string'}, 'message': {'type': 'string'}}}}}}}}}},
        'paths': paths,
    }
    (ROOT / 'api/openapi.json').write_text(json.dumps(doc, indent=1) + '\n')
    print(f'{len(routes)} routes')


if __name__ == '__main__':
    main()
