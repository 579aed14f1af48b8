#!/usr/bin/python3
"""Writes api/openapi.json from two sources:

  - the route registrations under src/server/ (method, path, auth kind, operation): each
    area's routes are added in src/server/routes/<area>.cc by one Register<Area>Routes
    function; the paths appear in the order src/server/server.cc calls those functions,
    which is the server's route order (and its matching order);
  - the hand-written contract in api/spec/: base.json (info, security schemes and the
    shared parameters, responses and schemas under components) and one <area>.json per
    routes/<area>.cc, mapping "METHOD /path" to that operation's summary, parameters
    (path parameters included, named as in the path), requestBody and the responses its
    handler gives (real status codes; errors as $refs to components/responses).

From the registration it adds x-custodian-auth, x-custodian-operation, security, the
X-CSRF-Token header parameter (session and user routes, except GET), and the error
answers that the dispatch itself gives (server.cc, middleware.cc), where the area file
does not list them:
    401 every route but public ones (no or a wrong session or key)
    403 user routes, and session routes but GET (CSRF token; gates; the permission at the door)
    400 public POST routes (a body over 16 KiB before a logon)
    413 POST routes (a body over the server's max_body_bytes)
    500 every route (an internal error)
    503 every route but public ones (authentication reads the database)

A new route needs its entry in api/spec/<area>.json, a success in the server test
ServerTest.EveryRouteAnswersASuccess, and a re-run:
    /usr/bin/python3 tools/openapi_routes.py          # writes api/openapi.json
    /usr/bin/python3 tools/openapi_routes.py --check  # exit 1 when it is not up to date
The server test checks the file against the running server's routes
(ServerTest.TheOpenApiFileAndTheRouteTableAgree), and the CTest test openapi_responses
validates the answers the server tests receive against it (tests/server/openapi/).
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / 'api/spec'
OUT = ROOT / 'api/openapi.json'
METHODS = ('GET', 'POST', 'DELETE')


def snake(name):
    return re.sub(r'(?<!^)([A-Z])', r'_\1', name).lower()


ROUTE = re.compile(r'Add\("(\w+)", "([^"]+)", "(\w+)", (?:"([^"]*)"|policy::ops::k(\w+))')


def route_sources():
    """(area, text) of every file that adds routes, in the order server.cc registers them."""
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
    return [(f.stem, f.read_text()) for f in files]


def load(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        sys.exit(f'{path.relative_to(ROOT)}: {e}')


def resolve(base, node):
    """`node`, or what its local $ref ("#/components/...") names (check_refs has run)."""
    while isinstance(node, dict) and '$ref' in node:
        target = base
        for part in node['$ref'].lstrip('#/').split('/'):
            target = target[part]
        node = target
    return node


def check_refs(base, node, where):
    """Every local $ref under `node` names something in base.json."""
    if isinstance(node, dict):
        ref = node.get('$ref')
        if isinstance(ref, str):
            target = base
            for part in ref.lstrip('#/').split('/'):
                if not isinstance(target, dict) or part not in target:
                    sys.exit(f'{where}: {ref} names nothing in api/spec/base.json')
                target = target[part]
        for v in node.values():
            check_refs(base, v, where)
    elif isinstance(node, list):
        for v in node:
            check_refs(base, v, where)


def dispatch_errors(method, auth):
    """The error answers the dispatch gives a route before or around its handler."""
    codes = []
    if auth != 'public':
        codes.append(('401', 'Unauthenticated'))
    if auth == 'user' or (auth == 'session' and method != 'GET'):
        codes.append(('403', 'Forbidden'))
    if auth == 'public' and method == 'POST':
        codes.append(('400', 'BadRequest'))
    if method == 'POST':
        codes.append(('413', 'PayloadTooLarge'))
    codes.append(('500', 'Internal'))
    if auth != 'public':
        codes.append(('503', 'Unavailable'))
    return codes


def operation(base, area, method, path, auth, op, entry):
    where = f'api/spec/{area}.json: {method} {path}'
    known = {'summary', 'description', 'parameters', 'requestBody', 'responses'}
    if set(entry) - known:
        sys.exit(f'{where}: unknown keys {sorted(set(entry) - known)} (the script adds the x-custodian ones)')
    if not entry.get('summary'):
        sys.exit(f'{where}: no summary')
    check_refs(base, entry, where)
    params = list(entry.get('parameters', []))
    in_path = [p['name'] for p in (resolve(base, p) for p in params) if p.get('in') == 'path']
    want = re.findall(r'\{(\w+)\}', path)
    if in_path != want:
        sys.exit(f'{where}: path parameters {in_path}, the path has {want} (list each, in order)')
    responses = dict(entry.get('responses', {}))
    if not any(code.startswith('2') for code in responses):
        sys.exit(f'{where}: no success response')
    for code, name in dispatch_errors(method, auth):
        responses.setdefault(code, {'$ref': f'#/components/responses/{name}'})
    o = {'summary': entry['summary']}
    if 'description' in entry:
        o['description'] = entry['description']
    o['x-custodian-auth'] = auth
    if op:
        o['x-custodian-operation'] = op
    o['security'] = [] if auth == 'public' else [{'apiKey': []}] if auth == 'device' else [{'session': []}]
    if auth in ('session', 'user') and method != 'GET':
        params.append({'$ref': '#/components/parameters/CsrfToken'})
    if params:
        o['parameters'] = params
    if 'requestBody' in entry:
        o['requestBody'] = entry['requestBody']
    o['responses'] = dict(sorted(responses.items()))
    return o


def compact(value, indent=0, used=0, width=110):
    """JSON indented by two spaces, with an object or array on one line where that line fits
    in `width` columns (`used`: columns already taken on the first line)."""
    one = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or indent + used + len(one) <= width:
        return one
    pad = ' ' * (indent + 2)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = json.dumps(k, ensure_ascii=False) + ': '
            items.append(pad + key + compact(v, indent + 2, len(key), width))
        return '{\n' + ',\n'.join(items) + '\n' + ' ' * indent + '}'
    return '[\n' + ',\n'.join(pad + compact(v, indent + 2, 0, width) for v in value) + '\n' + ' ' * indent + ']'


def build():
    base = load(SPEC / 'base.json')
    sources = route_sources()
    areas = {area: load(SPEC / f'{area}.json') for area, _ in sources}
    for f in sorted(SPEC.glob('*.json')):
        if f.stem != 'base' and f.stem not in areas:
            sys.exit(f'api/spec/{f.name}: no src/server/routes/{f.stem}.cc registers routes')
    paths, count = {}, 0
    for area, text in sources:
        seen = set()
        for method, path, auth, op_text, op_const in ROUTE.findall(text):
            key = f'{method} {path}'
            if method not in METHODS:
                sys.exit(f'{key}: the server registers only {", ".join(METHODS)}')
            if key not in areas[area]:
                sys.exit(f'{key}: describe it in api/spec/{area}.json')
            seen.add(key)
            op = op_text or snake(op_const or '')
            paths.setdefault(path, {})[method.lower()] = operation(base, area, method, path, auth, op,
                                                                   areas[area][key])
            count += 1
        extra = sorted(set(areas[area]) - seen)
        if extra:
            sys.exit(f'api/spec/{area}.json describes {", ".join(extra)}, which routes/{area}.cc does not add')
    doc = {k: v for k, v in base.items() if k != 'components'}
    doc['paths'] = paths
    doc['components'] = base['components']
    return compact(doc) + '\n', count


def main():
    text, count = build()
    if sys.argv[1:] == ['--check']:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit('api/openapi.json is not up to date: run /usr/bin/python3 tools/openapi_routes.py')
        print(f'api/openapi.json is up to date ({count} routes)')
        return
    if sys.argv[1:]:
        sys.exit('usage: tools/openapi_routes.py [--check]')
    OUT.write_text(text)
    print(f'{count} routes')


if __name__ == '__main__':
    main()
