// Validates the answers the server tests received (server_test run with
// CUSTODIAN_API_RECORD=<folder>: one JSON line per answer, a file per test process) against
// api/openapi.json, with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) and
// ajv-formats:
//   - each request path is matched to its route the way the server matches it (the
//     first path template, in the file's order, that matches for the method);
//   - the answer's status must be documented for that operation, its media type listed
//     under that response's content, and a JSON body must validate against its schema;
//   - the query parameters of a successful request must be documented for the operation;
//   - an answer to a path no route matches must be the documented 404 error.
// Every schema in the file is compiled (strict mode) whether exercised or not.
// Usage: node validate.mjs <folder or .jsonl file> [<openapi.json>]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const recorded = process.argv[2];
const specFile = process.argv[3] ?? resolve(here, '../../../api/openapi.json');
if (!recorded) {
  console.error('usage: node validate.mjs <folder or .jsonl file> [<openapi.json>]');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(specFile, 'utf8'));
let files;
try {
  files = statSync(recorded).isDirectory()
    ? readdirSync(recorded).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(recorded, f))
    : [recorded];
} catch (e) {
  console.error(`${recorded}: ${e.message} (run the server tests with CUSTODIAN_API_RECORD=${recorded})`);
  process.exit(1);
}
const lines = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim())
  .map((text, i) => ({ text, where: `${f}:${i + 1}` })));
if (lines.length === 0) {
  console.error(`${recorded} records no answers: were the server tests run with CUSTODIAN_API_RECORD set?`);
  process.exit(1);
}

// The component schemas, as one schema of $defs that the others' $refs point into.
const COMPONENTS = 'https://custodian.invalid/openapi/components';
const rewrite = (node) => {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
      ? `${COMPONENTS}#/$defs/${v.slice('#/components/schemas/'.length)}`
      : rewrite(v);
  }
  return out;
};
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema({ $id: COMPONENTS, $defs: rewrite(doc.components?.schemas ?? {}) });
const compiled = new Map();
const compile = (schema) => {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rewrite(schema)));
  return compiled.get(key);
};

// A local $ref ("#/components/...") to what it names.
const deref = (node) => {
  while (node && typeof node.$ref === 'string') {
    node = node.$ref.slice(2).split('/').reduce((n, part) => n?.[part], doc);
    if (node === undefined) throw new Error('a $ref names nothing');
  }
  return node;
};

// The operations in route order, each with its path's regular expression (as server.cc
// builds it: each {name} is one path segment).
const operations = [];
for (const [path, methods] of Object.entries(doc.paths)) {
  const re = new RegExp('^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '[^/]+') + '$');
  for (const [method, op] of Object.entries(methods)) {
    operations.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), re, op });
  }
}

// Every schema compiles, exercised or not (strict mode: an unknown keyword is an error).
// Problems, each with the tests whose answers showed it.
const problems = new Map();
const problem = (text, test) => {
  if (!problems.has(text)) problems.set(text, new Set());
  if (test) problems.get(text).add(test);
};
for (const [name] of Object.entries(doc.components?.schemas ?? {})) {
  try {
    ajv.getSchema(`${COMPONENTS}#/$defs/${name}`);
  } catch (e) {
    problem(`components/schemas/${name}: ${e.message}`);
  }
}
for (const { key, op } of operations) {
  const schemas = [];
  for (const p of op.parameters ?? []) schemas.push(deref(p).schema);
  for (const media of Object.values(op.requestBody?.content ?? {})) schemas.push(media.schema);
  for (const r of Object.values(op.responses)) {
    for (const media of Object.values(deref(r).content ?? {})) schemas.push(media.schema);
  }
  for (const s of schemas.filter(Boolean)) {
    try {
      compile(s);
    } catch (e) {
      problem(`${key}: a schema does not compile: ${e.message}`);
    }
  }
}

const mediaType = (contentType) => (contentType ?? '').split(';')[0].trim().toLowerCase();
const exercised = new Map(); // operation key -> Set of statuses
let answers = 0;
let unrouted = 0;
for (const line of lines) {
  let rec;
  try {
    rec = JSON.parse(line.text);
  } catch {
    problem(`${line.where}: not JSON`);
    continue;
  }
  ++answers;
  const [pathOnly, query = ''] = rec.path.split('?');
  const where = `${rec.method} ${pathOnly.slice(0, 120)} -> ${rec.status}`;
  const report = (text) => problem(`${where}: ${text}`, rec.test);
  const found = operations.find((o) => o.method === rec.method && o.re.test(pathOnly));
  let response;
  if (!found) {
    ++unrouted;
    if (rec.status !== 404) {
      report(`no route matches, and the answer is not a 404`);
      continue;
    }
    response = doc.components.responses.NotFound;
  } else {
    if (!exercised.has(found.key)) exercised.set(found.key, new Set());
    exercised.get(found.key).add(rec.status);
    const documented = found.op.responses[String(rec.status)];
    if (!documented) {
      report(`status ${rec.status} is not documented for ${found.key} ` +
                    `(documented: ${Object.keys(found.op.responses).join(', ')})`);
      continue;
    }
    response = deref(documented);
    if (rec.status < 300 && query) {
      const names = new Set((found.op.parameters ?? []).map(deref).filter((p) => p.in === 'query').map((p) => p.name));
      for (const name of new URLSearchParams(query).keys()) {
        if (!names.has(name)) report(`query parameter '${name}' is not documented`);
      }
    }
  }
  const content = response.content ?? {};
  const type = mediaType(rec.content_type);
  if (rec.body_text !== undefined) {
    report(`the body claims ${type} but is not JSON: ${rec.body_text}`);
    continue;
  }
  if (!type) {
    if (Object.keys(content).length) report(`no Content-Type; documented: ${Object.keys(content)}`);
    continue;
  }
  if (!content[type]) {
    report(`Content-Type ${type} is not documented (documented: ${Object.keys(content).join(', ') || 'none'})`);
    continue;
  }
  if (type === 'application/json') {
    const schema = content[type].schema;
    if (!schema) {
      report(`no schema for its JSON body`);
      continue;
    }
    const validate = compile(schema);
    if (!validate(rec.body)) {
      for (const e of validate.errors) {
        report(`body${e.instancePath.replace(/\/\d+(?=\/|$)/g, '/*')} ${e.message}` +
                      (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
      }
    }
  }
}

const unexercised = operations.filter((o) => !exercised.has(o.key)).map((o) => o.key);
console.log(`${answers} answers recorded by ${files.length} test process(es); ${exercised.size} of ${operations.length} operations exercised ` +
            `(${[...exercised.values()].reduce((n, s) => n + s.size, 0)} operation/status pairs), ` +
            `${unrouted} answers to paths no route matches`);
if (unexercised.length) console.log(`not exercised by the server tests: ${unexercised.join('; ')}`);
if (problems.size) {
  console.error(`${problems.size} mismatch(es) with ${specFile}:`);
  for (const [text, tests] of problems) {
    const seen = [...tests];
    console.error(`  ${text}` + (seen.length ? ` [${seen.slice(0, 3).join(', ')}${seen.length > 3 ? ', ...' : ''}]` : ''));
  }
  process.exit(1);
}
console.log(`every answer validated against ${specFile}`);
