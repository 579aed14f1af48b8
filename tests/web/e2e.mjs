// End-to-end test of the Custodian web application in Debian's chromium.
// Starts `custodian serve` on a fresh data folder and a free port, walks the pages as the
// first coordinator and as users of other roles, and checks what each may see.
// Env: CUSTODIAN (the binary), WEB_ROOT (built web app), ARTIFACTS (screenshots),
//      CHROMIUM (default /usr/bin/chromium). Exits non-zero on the first failed check.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const CUSTODIAN = process.env.CUSTODIAN || path.join(root, 'build', 'custodian');
const WEB_ROOT = process.env.WEB_ROOT || path.join(root, 'build', 'web');
const ARTIFACTS = process.env.ARTIFACTS || path.join(root, 'build', 'web-artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const started = Date.now();

let server = null;
let browser = null;
let dataDir = null;
let serverLog = '';
const problems = [];  // CSP violations and page errors, reported at the end

function log(msg) { console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`); }
function check(cond, msg) { if (!cond) throw new Error(`CHECK FAILED: ${msg}`); log(`ok: ${msg}`); }

// ---- TOTP (RFC 6238) from the base32 secret the page shows ----
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0; const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) continue;
    value = (value << 5) | i; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}
function totp(secretB32, uri) {
  const q = new URL(uri).searchParams;
  const digits = Number(q.get('digits') || 6);
  const period = Number(q.get('period') || 30);
  const algo = (q.get('algorithm') || 'SHA1').toLowerCase().replace('-', '');
  const counter = Math.floor(Date.now() / 1000 / period);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algo, base32Decode(secretB32)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

// ---- The server ----
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function startServer() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-e2e-'));
  const port = await freePort();
  check(fs.existsSync(path.join(WEB_ROOT, 'index.html')), `web root ${WEB_ROOT} holds index.html`);
  // The server's default pool (max(4, 2 x cores) threads) is held by browsers' keep-alive
  // connections for up to 30 s each, so with several browser contexts open requests stall;
  // the test gives the server more threads (E2E_THREADS=0 keeps the server's default).
  const args = ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--web-root', WEB_ROOT];
  const threads = Number(process.env.E2E_THREADS ?? 32);
  // The store's memory keys too (a key the server does not know stops it): a small SQLite
  // cache and the database file kept resident (docs/configuration.md).
  const config = { sqlite_cache_mib: 64, sqlite_resident_mib: 64 };
  if (threads > 0) config.threads = threads;
  fs.writeFileSync(path.join(dataDir, 'e2e-config.json'), JSON.stringify(config));
  args.push('--config', path.join(dataDir, 'e2e-config.json'));
  server = spawn(CUSTODIAN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => { serverLog += d; });
  const creds = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${out}\n${serverLog}`)), 60000);
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${out}\n${serverLog}`)); });
    server.stdout.on('data', (d) => {
      out += d; serverLog += d;
      if (/Custodian is serving/.test(out)) {
        clearTimeout(timer);
        const user = /^\s*user:\s*(\S+)/m.exec(out);
        const pass = /^\s*password:\s*(\S+)/m.exec(out);
        if (!user || !pass) reject(new Error(`no one-time coordinator password in the server output:\n${out}`));
        else resolve({ username: user[1], password: pass[1] });
      }
    });
  });
  return { base: `https://127.0.0.1:${port}`, port, ...creds };
}

function stopServer() {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    const s = server;
    setTimeout(() => { if (s.exitCode === null) s.kill('SIGKILL'); }, 5000).unref();
  }
}

// An HTTPS request from node (camera ingest), accepting the self-signed certificate.
function httpsJson(base, method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(base + p, {
      method, rejectUnauthorized: false,
      headers: { ...headers, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { let j = null; try { j = JSON.parse(text); } catch { /* not JSON */ } resolve({ status: res.statusCode, body: j, text }); });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// ---- Browser helpers ----
async function newPage(label, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`${label}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on('dialog', (d) => d.accept());
  return page;
}

// A JSON API call from inside the page (its cookie), with the session's CSRF token.
async function pageApi(page, method, p, body) {
  return page.evaluate(async ({ method, p, body }) => {
    const me = await fetch('/api/v1/me').then((r) => r.json());
    const res = await fetch(p, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token || '' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let j = null; try { j = await res.json(); } catch { /* none */ }
    return { status: res.status, body: j };
  }, { method, p, body });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function expectStatus(page, re, what) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('status').textContent), re.source)
    .catch(async () => { throw new Error(`CHECK FAILED: ${what}: status "${await page.textContent('#status')}", error "${await page.textContent('#error')}"`); });
  log(`ok: ${what}`);
}

// Logs on for the first time and walks the first-logon flow: MFA enrolment, password, acknowledgment.
async function onboard(page, base, username, password, fullName, shots = false) {
  await page.goto(`${base}/#/logon`);
  await page.waitForSelector('#logon-form');
  check((await page.textContent('#notice-text')).length > 20, `${username}: the system-use notice is shown`);
  if (shots) await shot(page, '01-logon');
  await page.fill('#username', username);
  await page.fill('#password', password);
  // Without the notice accepted, the logon is refused.
  await page.click('#logon-submit');
  await page.waitForFunction(() => document.getElementById('error').textContent.length > 0);
  check(/notice/i.test(await page.textContent('#error')), `${username}: logon without accepting the notice is refused`);
  await page.check('#notice-accepted');
  await page.click('#logon-submit');
  await page.waitForSelector('#mfa-start').catch(async () => {
    throw new Error(`CHECK FAILED: ${username}: logon did not reach MFA enrolment: ${await page.textContent('#error')}`);
  });
  await page.click('#mfa-start');
  await page.waitForSelector('#mfa-secret');
  const secret = (await page.textContent('#mfa-secret')).trim();
  const uri = (await page.textContent('#mfa-uri')).trim();
  check(/^[A-Z2-7]+=*$/.test(secret) && uri.startsWith('otpauth://totp/'), `${username}: TOTP secret and otpauth URI shown as text`);
  if (shots) await shot(page, '02-first-logon-mfa');
  await page.fill('#mfa-code', totp(secret, uri));
  await page.click('#mfa-confirm-form button[type=submit]');
  await page.waitForSelector('#password-form');
  const newPassword = `Lantern-Orchard-${crypto.randomBytes(4).toString('hex')}`;
  await page.fill('#pw-current', password);
  await page.fill('#pw-new', newPassword);
  await page.fill('#pw-again', newPassword);
  if (shots) await shot(page, '03-first-logon-password');
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#ack-form');
  const boxes = await page.$$('#ack-form input[type=checkbox]');
  check(boxes.length === 4, `${username}: the four acknowledgment statements are shown`);
  for (const b of boxes) await b.check();
  await page.fill('#ack-name', fullName);
  if (shots) await shot(page, '04-acknowledgment');
  await page.click('#ack-form button[type=submit]');
  await page.waitForSelector('#ack-signed');
  log(`ok: ${username} onboarded (MFA, password, acknowledgment)`);
  return { secret, uri, password: newPassword };
}

// Two people approve: the supervisor approval by `approverPage`, the coordinator's by
// `secondPage` (one person may not give both while a second coordinator exists).
async function approveAndTrain(approverPage, username, secondPage) {
  for (const as of ['supervisor', 'coordinator']) {
    const r = await pageApi(as === 'supervisor' ? approverPage : secondPage, 'POST', `/api/v1/users/${username}/approve`, { as });
    check(r.status === 200, `${username}: ${as} approval recorded (${r.status} ${JSON.stringify(r.body?.error || '')})`);
  }
  const t = await pageApi(approverPage, 'POST', `/api/v1/users/${username}/training`,
    { course: 'ALPR policy and use', completed: new Date(Date.now() - 60000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
  check(t.status === 200, `${username}: training recorded`);
}

async function createUserViaUi(page, base, username, fullName, role) {
  await page.goto(`${base}/#/users`);
  await page.waitForSelector('#users-table');
  await page.fill('#nu-username', username);
  await page.fill('#nu-fullname', fullName);
  await page.selectOption('#nu-role', role);
  await page.evaluate(() => document.getElementById('user-once').replaceChildren());
  await page.click('#user-create button[type=submit]');
  await page.waitForFunction((u) => new RegExp(`password for ${u}\\b`).test(document.getElementById('user-once').textContent), username);
  const pw = (await page.textContent('#new-user-password')).trim();
  check(pw.length >= 8, `${username} (${role}) created in the users page; one-time password shown once`);
  await page.waitForSelector(`#users-table [data-user="${username}"]`);
  return pw;
}

async function search(page, base, { purpose, caseNo, plate, match }) {
  await page.goto(`${base}/#/search`);
  await page.waitForSelector('#search-form');
  await page.selectOption('#search-purpose', purpose);
  await page.fill('#search-case', caseNo);
  await page.fill('#search-plate', plate || '');
  if (match) await page.selectOption('#search-match', match);
  await page.evaluate(() => { document.getElementById('search-results').replaceChildren(); });
  await page.click('#search-submit');
  await page.waitForFunction(() => document.getElementById('results-table') || document.getElementById('error').textContent);
  const err = await page.textContent('#error');
  if (err) return { error: err, rows: [] };
  const rows = await page.$$eval('#results-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  return { rows };  // columns: select, crop, plate, captured, camera, class, confidence, id
}

// ---- The test ----
async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`SKIP: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM)`);
    process.exit(77);
  }
  const srv = await startServer();
  const { base } = srv;
  log(`server at ${base}; first coordinator ${srv.username}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--ignore-certificate-errors', '--no-sandbox'] });

  // Security headers on the page itself.
  const idx = await httpsJson(base, 'GET', '/');
  check(idx.status === 200 && /<script type="module" src="app.js">/.test(idx.text), 'index.html is served from the web root');

  // 1. The first coordinator logs on and onboards.
  const coord = await newPage('coordinator');
  const coordCreds = await onboard(coord, base, srv.username, srv.password, 'ALPR Coordinator', true);
  let me = (await pageApi(coord, 'GET', '/api/v1/me')).body;
  check(me.gates_missing.some((g) => /approval/.test(g)), 'coordinator: plate data stays closed until approvals');
  let r = await pageApi(coord, 'GET', '/api/v1/reads?purpose=criminal_investigation&case=24-CR-0117');
  check(r.status === 403, 'coordinator: search refused before approvals and training');

  // 2. A second coordinator, created through the API, onboards and approves the first in the users page.
  r = await pageApi(coord, 'POST', '/api/v1/users', { username: 'coord2', full_name: 'Second Coordinator', role: 'coordinator' });
  check(r.status === 201 && r.body.initial_password, 'coord2 created through the API');
  const coord2 = await newPage('coord2');
  await onboard(coord2, base, 'coord2', r.body.initial_password, 'Second Coordinator');
  await coord2.goto(`${base}/#/users`);
  await coord2.waitForSelector(`#users-table [data-user="${srv.username}"]`);
  await coord2.click(`[data-user="${srv.username}"] button:text("Approve as supervisor")`);
  await expectStatus(coord2, /Supervisor approval recorded/, 'coord2 approves the coordinator as supervisor (users page)');
  await coord2.click(`[data-user="${srv.username}"] button:text("Approve as coordinator")`);
  await expectStatus(coord2, /Coordinator approval recorded/, 'coord2 approves the coordinator as coordinator (users page)');
  await coord2.click(`[data-user="${srv.username}"] button:text("Record training")`);
  await expectStatus(coord2, /Training recorded/, 'coord2 records the coordinator\'s training (users page)');
  me = (await pageApi(coord, 'GET', '/api/v1/me')).body;
  check(me.gates_missing.length === 0, `coordinator: every gate met (${JSON.stringify(me.gates_missing)})`);

  // 3. Cameras and API keys in the UI.
  await coord.goto(`${base}/#/cameras`);
  await coord.waitForSelector('#keys-table');
  const keys = {};
  for (const [id, name, kind, cls] of [['cam-ps-1', 'Main St eastbound', 'fixed', 'public_safety'],
    ['cam-park-1', 'Civic Center garage', 'parking', 'non_public_safety']]) {
    await coord.fill('#cam-id', id);
    await coord.fill('#cam-name', name);
    await coord.selectOption('#cam-kind', kind);
    await coord.selectOption('#cam-class', cls);
    await coord.click('#camera-create button[type=submit]');
    await expectStatus(coord, new RegExp(`Camera ${id} saved`), `camera ${id} registered in the cameras page`);
    check((await coord.inputValue('#key-camera')) === id, `key form prefilled with ${id}`);
    await coord.evaluate(() => document.getElementById('key-once').replaceChildren());
    await coord.click('#key-create button[type=submit]');
    await coord.waitForSelector('#new-api-key');
    keys[id] = (await coord.textContent('#new-api-key')).trim();
    check(keys[id].length > 16, `API key for ${id} issued and shown once`);
  }
  await coord.waitForFunction(() => document.querySelectorAll('#keys-table tbody tr').length >= 2);
  await shot(coord, '05-cameras');

  // 4. A hotlist created and imported in the UI before any read arrives.
  await coord.goto(`${base}/#/hotlists`);
  await coord.waitForSelector('#hotlist-create');
  await coord.fill('#hl-name', 'stolen-e2e');
  await coord.selectOption('#hl-category', 'stolen_vehicle');
  await coord.click('#hotlist-create button[type=submit]');
  await expectStatus(coord, /Hotlist created/, 'hotlist created in the hotlists page');
  await coord.selectOption('#import-list', 'stolen-e2e');
  await coord.fill('#import-text', 'plate,state,reason,expires\n7VTR735,CA,stolen vehicle 24-CR-0117,\n');
  await coord.click('#hotlist-import button[type=submit]');
  await coord.waitForSelector('#import-result p');
  check(/Added 1/.test(await coord.textContent('#import-result')), 'hotlist entries imported from the textarea');
  await shot(coord, '06-hotlists');

  // 5. The alert queue is open when the camera sends the matching read: the alert appears live.
  await coord.goto(`${base}/#/alerts`);
  await coord.waitForSelector('#stream-state[data-state="open"]');
  log('ok: alert stream connected');
  const crop = fs.readFileSync(path.join(root, 'samples', 'sample_00_us_ca.jpg')).toString('base64');
  const t0 = Date.now() - 120000;
  const at = (k) => new Date(t0 + k * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ingest = async (cam, reads) => {
    const res = await httpsJson(base, 'POST', '/api/v1/reads', { reads }, { Authorization: `Bearer ${keys[cam]}` });
    check(res.status === 201, `camera ${cam} ingests ${reads.length} read(s) over HTTPS (${res.status} ${res.text.slice(0, 200)})`);
    return res.body.results;
  };
  const bad = await httpsJson(base, 'POST', '/api/v1/reads', { reads: [] }, { Authorization: 'Bearer ck_wrong' });
  check(bad.status === 401, 'ingest with a wrong API key is refused');
  const psReads = await ingest('cam-ps-1', [
    { event_id: 'e2e-1', captured_at: at(1), plate: '8ABC123', confidence: 0.93, country: 'US', region: 'CA', plate_crop: crop },
    { event_id: 'e2e-2', captured_at: at(20), plate: '8ABC123', confidence: 0.91, country: 'US', region: 'CA', plate_crop: crop },
    { event_id: 'e2e-3', captured_at: at(40), plate: '7VTR735', confidence: 0.95, country: 'US', region: 'CA', plate_crop: crop },
  ]);
  check(psReads[2].alerts >= 1, 'the hotlisted plate raised an alert on ingest');
  await ingest('cam-park-1', [
    { event_id: 'e2e-4', captured_at: at(30), plate: '5PRK001', confidence: 0.9, country: 'US', region: 'CA', plate_crop: crop },
  ]);
  await coord.waitForSelector('#alert-list article:has-text("7VTR735")', { timeout: 15000 });
  log('ok: the alert appeared live in the open alert queue (EventSource)');
  check(/7VTR735/.test(await coord.textContent('#live-alerts')), 'the live alert is announced in the aria-live region');

  // 6. Search with purpose and case; thumbnails are blob: images.
  let s = await search(coord, base, { purpose: 'criminal_investigation', caseNo: '24-CR-0117', plate: '8ABC123', match: 'exact' });
  check(!s.error && s.rows.length === 2 && s.rows.every((x) => x[2] === '8ABC123'), `exact search finds the 2 reads of 8ABC123 (${s.error || s.rows.length})`);
  await coord.waitForFunction(() => [...document.querySelectorAll('#results-table img.thumb')].some((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0));
  log('ok: plate crop thumbnails load as blob: URLs');
  check(/cam-ps-1: 2 read/.test(await coord.textContent('#sightings-list')), 'sightings by camera list');
  check((await coord.$$('svg.chart rect')).length === 1, 'sightings diagram drawn as SVG');
  await shot(coord, '07-search');
  s = await search(coord, base, { purpose: 'criminal_investigation', caseNo: '24-CR-0117', plate: '8AB*', match: 'wildcard' });
  check(s.rows.length === 2, 'wildcard search 8AB* finds both reads');
  s = await search(coord, base, { purpose: 'criminal_investigation', caseNo: 'no digits', plate: '8ABC123' });
  check(s.error && /case number/i.test(s.error), 'a case number without digits is refused');

  // 7. The access log shows the search; the chain verifies.
  await coord.goto(`${base}/#/audit`);
  await coord.waitForSelector('#verify-status');
  check(/Chain intact/.test(await coord.textContent('#verify-status')), 'access log chain verification shown intact');
  await coord.waitForSelector('#log-table');
  await coord.fill('#log-action', 'search_reads');
  await coord.fill('#log-case', '24-CR-0117');
  await coord.click('#audit-filter button[type=submit]');
  await coord.waitForFunction(() => [...document.querySelectorAll('#log-table tbody tr')].some((tr) => /search_reads/.test(tr.textContent) && /criminal_investigation/.test(tr.textContent)));
  const logText = await coord.textContent('#log-table');
  check(/8ABC123/.test(logText) && /24-CR-0117/.test(logText), 'the access log page lists the search with its plate, purpose and case');
  check(await coord.$('#flags'), 'misuse flags section present');
  await shot(coord, '08-access-log');

  // 8. Review the alert: image beside the record, acknowledge, confirm with the checkbox.
  await coord.goto(`${base}/#/alerts`);
  const card = coord.locator('#alert-list article', { hasText: '7VTR735' });
  await card.waitFor();
  await card.locator('button:text("Show read image")').click();
  await coord.waitForFunction(() => [...document.querySelectorAll('#alert-list img.crop')].some((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0));
  log('ok: the read image is shown beside the hotlist record');
  await card.locator('button.ack').click();
  await expectStatus(coord, /acknowledged/, 'alert acknowledged');
  const card2 = coord.locator('#alert-list article', { hasText: '7VTR735' });
  await card2.locator('form.confirm-form').waitFor({ state: 'visible' });
  await card2.locator('form.confirm-form button[type=submit]').click();
  check(/Compare the plate image/.test(await coord.textContent('#error')), 'confirm refused in the page until the comparison box is ticked');
  await card2.locator('input.image-checked').check();
  await card2.locator('input.action').fill('vehicle stopped; dispatch notified');
  await shot(coord, '09-alerts');
  await card2.locator('form.confirm-form button[type=submit]').click();
  await expectStatus(coord, /confirmed/, 'alert confirmed with the image checked');
  r = await pageApi(coord, 'GET', '/api/v1/alerts');
  const alert = r.body.alerts.find((a) => a.read_plate === '7VTR735');
  check(alert && alert.state === 'confirmed' && alert.image_checked, 'the server records the alert as confirmed, image checked');

  // 9. A hold on a read chosen in the search results; a second by plate, released.
  // (Searched under the investigation's own purpose: legal_hold is reserved for holds that exist.)
  s = await search(coord, base, { purpose: 'criminal_investigation', caseNo: '24-CR-0117', plate: '8ABC123', match: 'exact' });
  check(s.rows.length === 2, 'search for the hold');
  await coord.locator('#results-table input.pick').first().check();
  await coord.click('#hold-selected');
  await coord.waitForSelector('#hold-form');
  check((await coord.inputValue('#hold-reads')).length > 0 && (await coord.inputValue('#hold-case')) === '24-CR-0117', 'hold form prefilled from the selected read and case');
  await coord.fill('#hold-reason', 'evidence in 24-CR-0117');
  await coord.click('#hold-form button[type=submit]');
  await expectStatus(coord, /placed on 1 read/, 'hold placed on the selected read');
  await coord.fill('#hold-reads', '');
  await coord.fill('#hold-plate', '5PRK001');
  await coord.fill('#hold-reason', 'parking dispute');
  await coord.fill('#hold-case', 'PK-2024-001');
  await coord.click('#hold-form button[type=submit]');
  await expectStatus(coord, /placed on 1 read/, 'hold placed by plate');
  await coord.waitForFunction(() => document.querySelectorAll('#holds-table tbody tr').length === 2);
  await shot(coord, '10-holds');
  await coord.locator('#holds-table tr', { hasText: 'PK-2024-001' }).locator('button', { hasText: 'Release hold' }).click();
  await expectStatus(coord, /released/, 'hold released');

  // 10. A second hotlist import in the UI, from a file.
  await coord.goto(`${base}/#/hotlists`);
  await coord.waitForSelector('#hotlist-import');
  await coord.selectOption('#import-list', 'stolen-e2e');
  await coord.setInputFiles('#import-file', { name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from('plate,state,reason,expires\n4XYZ999,CA,stolen plate,\n6QRS222,CA,stolen plate,\n') });
  await coord.waitForFunction(() => /4XYZ999/.test(document.getElementById('import-text').value));
  await coord.click('#hotlist-import button[type=submit]');
  await coord.waitForFunction(() => /Added 2/.test(document.getElementById('import-result').textContent));
  await coord.waitForFunction(() => [...document.querySelectorAll('#hotlists-table tbody tr')]
    .some((tr) => tr.cells[0].textContent === 'stolen-e2e' && tr.cells[4].textContent === '3'), null, { timeout: 5000 })
    .catch(async () => { throw new Error(`CHECK FAILED: hotlist file import: table ${await coord.textContent('#hotlists-table')}`); });
  log('ok: hotlist file import adds 2 entries (3 in all)');

  // 11. Other roles: each created in the UI and onboarded in its own context.
  const others = [['patrol1', 'Pat Rolman', 'patrol'], ['park1', 'Parker Meter', 'parking_enforcement'], ['aud1', 'Audra Tor', 'auditor']];
  const pages = {};
  for (const [u, name, role] of others) {
    const pw = await createUserViaUi(coord, base, u, name, role);
    if (u === 'patrol1') await shot(coord, '11-users');
    pages[u] = await newPage(u);
    await onboard(pages[u], base, u, pw, name);
    await approveAndTrain(coord, u, coord2);
  }
  // Patrol: no users page, and the API says 403.
  const patrol = pages.patrol1;
  await patrol.goto(`${base}/#/search`);
  await patrol.waitForSelector('#search-form');
  check(!(await patrol.isVisible('#nav a[href="#/users"]')), 'patrol: the Users link is hidden');
  check(await patrol.isVisible('#nav a[href="#/search"]'), 'patrol: the Search link is shown');
  r = await pageApi(patrol, 'GET', '/api/v1/users');
  check(r.status === 403, `patrol: GET /api/v1/users answers 403 (${r.status})`);
  await patrol.goto(`${base}/#/users`);
  await patrol.waitForFunction(() => /does not include/.test(document.getElementById('main').textContent));
  log('ok: patrol: the users page refuses');
  s = await search(patrol, base, { purpose: 'criminal_investigation', caseNo: '24-CR-0200', plate: '', match: 'exact' });
  check(s.rows.length === 3 && s.rows.every((x) => /^public safety$/.test(x[5])), `patrol: search shows only the 3 public-safety reads (${s.rows.length})`);
  // Parking: no public-safety reads.
  const park = pages.park1;
  s = await search(park, base, { purpose: 'parking_enforcement', caseNo: 'PK-2024-001', plate: '', match: 'exact' });
  check(!s.error, `parking: search answered (${s.error || ''})`);
  check(s.rows.length === 1 && s.rows[0][2] === '5PRK001' && s.rows.every((x) => /non public safety/.test(x[5])),
    `parking: search shows only the non-public-safety read (${s.rows.map((x) => x[2]).join(',')})`);
  r = await pageApi(park, 'GET', '/api/v1/reads?purpose=parking_enforcement&case=PK-2024-001&class=public_safety');
  check(r.status === 403, 'parking: asking for public-safety reads is refused');
  await shot(park, '12-search-parking');
  // Auditor: search refused; the access log is open.
  const aud = pages.aud1;
  await aud.goto(`${base}/#/audit`);
  await aud.waitForSelector('#verify-status');
  check(!(await aud.isVisible('#nav a[href="#/search"]')), 'auditor: the Search link is hidden');
  r = await pageApi(aud, 'GET', '/api/v1/reads?purpose=criminal_investigation&case=24-CR-0117&plate=8ABC123');
  check(r.status === 403, `auditor: plate search refused by the API (${r.status})`);
  await aud.goto(`${base}/#/search`);
  await aud.waitForFunction(() => /does not include/.test(document.getElementById('main').textContent));
  log('ok: auditor: the search page refuses');

  // 12. Sharing grants page.
  await coord.goto(`${base}/#/grants`);
  await coord.waitForSelector('#grants-table');
  await coord.fill('#gr-agency', 'CA0190000');
  await coord.check('#gr-ps');
  check((await coord.inputValue('#gr-expires')).length === 16, 'grant expiry defaults to 90 days');
  await coord.click('#grant-create button[type=submit]');
  await coord.waitForFunction(() => /no agency/.test(document.getElementById('error').textContent));
  log('ok: a grant to an unknown agency is refused with a clear message');
  // Sharing only with California public, non-federal agencies; in force after the attestation.
  r = await pageApi(coord, 'POST', '/api/v1/agencies', { code: 'FBI-TF', name: 'Federal task force', state: 'CA', kind: 'federal' });
  check(r.status === 201, 'a federal agency can be recorded');
  await coord.fill('#gr-agency', 'FBI-TF');
  await coord.click('#grant-create button[type=submit]');
  await coord.waitForFunction(() => /California public agencies that are not federal/.test(document.getElementById('error').textContent));
  log('ok: a grant to a federal agency is refused');
  r = await pageApi(coord, 'POST', '/api/v1/agencies', { code: 'CA0190000', name: 'County Sheriff', state: 'CA', kind: 'county' });
  check(r.status === 201, 'the county agency is recorded with its state and kind');
  await coord.fill('#gr-agency', 'CA0190000');
  await coord.click('#grant-create button[type=submit]');
  await coord.waitForFunction(() => /takes force once the partner/.test(document.getElementById('status').textContent));
  await coord.waitForFunction(() => /awaiting the partner/.test(document.getElementById('grants-table').textContent));
  log('ok: the grant is made and awaits the attestation');
  await coord.fill('#grants-table form.attest-form input.att-signatory', 'Sheriff Dana Ortiz');
  await coord.click('#grants-table form.attest-form button[type=submit]');
  await coord.waitForFunction(() => /in force \(attested by Sheriff Dana Ortiz\)/.test(document.getElementById('grants-table').textContent));
  log('ok: with the attestation recorded the grant is in force');
  await shot(coord, '13-grants');

  // 12b. Evidence export from the holds page.
  await coord.goto(`${base}/#/holds`);
  await coord.waitForSelector('#holds-table');
  await coord.locator('#holds-table tr', { hasText: '24-CR-0117' }).locator('button', { hasText: 'Export evidence' }).click();
  await expectStatus(coord, /Evidence of hold \d+ exported/, 'evidence exported from the holds page');
  check(/exports\/hold-\d+-/.test(await coord.textContent('#hold-export-dir')), 'the evidence folder is under the data folder\'s exports');
  await shot(coord, '16-holds-export');

  // 12c. A records request: submitted in the page by parking enforcement, approved by a
  // director (coord2) and the coordinator, fulfilled into the exports folder.
  const localDt = (ms) => { const d = new Date(ms); const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`; };
  await park.goto(`${base}/#/requests`);
  await park.waitForSelector('#rr-form');
  check(await park.isVisible('#nav a[href="#/requests"]'), 'parking: the Records requests link is shown');
  await park.fill('#rr-requester', 'Dana Requester');
  await park.fill('#rr-department', 'Parking Division');
  await park.fill('#rr-phone', '(555) 010-0100');
  await park.fill('#rr-email', 'dana@city.example.gov');
  await park.selectOption('#rr-class', 'non_public_safety');
  await park.fill('#rr-description', 'Reads of 5PRK001 over the last hour');
  await park.fill('#rr-reason', 'Citation appeal PK-2024-001');
  await park.fill('#rr-plate', '5PRK001');
  await park.fill('#rr-from', localDt(t0 - 3600000));
  await park.fill('#rr-to', localDt(Date.now() + 120000));
  await park.click('#rr-submit');
  await expectStatus(park, /RR-\d+ submitted/, 'records request submitted in the page');
  await park.waitForSelector('#rr-table');
  r = await pageApi(park, 'GET', '/api/v1/requests');
  const rr = r.body.requests[0];
  check(rr && rr.state === 'submitted', `the submitter sees ${rr?.number}`);
  await coord2.goto(`${base}/#/requests`);
  await coord2.waitForSelector('#rr-table');
  await coord2.click(`button:text("Approve as director ${rr.number}")`);
  await expectStatus(coord2, new RegExp(`${rr.number}: director approved`), 'coord2 approves as director in the requests page');
  await coord.goto(`${base}/#/requests`);
  await coord.waitForSelector('#rr-table');
  await coord.click(`button:text("Approve ${rr.number}")`);
  await expectStatus(coord, new RegExp(`${rr.number}: approved`), 'the coordinator approves in the requests page');
  await coord.click(`button:text("Fulfil ${rr.number}")`);
  await expectStatus(coord, new RegExp(`${rr.number}: fulfilled`), 'the coordinator fulfils the request in the page');
  check(/exports\/RR-\d+-/.test(await coord.textContent('#rr-export-dir')), 'the request export folder is shown');
  await shot(coord, '17-records-requests');

  // 12d. An accuracy audit: the sample drawn, a read verified beside its image.
  await coord.goto(`${base}/#/audits`);
  await coord.waitForSelector('#aa-form');
  await coord.fill('#aa-from', localDt(t0 - 3600000));
  await coord.fill('#aa-to', localDt(Date.now() + 120000));
  await coord.fill('#aa-size', '3');
  await coord.fill('#aa-ref', 'AA-2026-01');
  await coord.click('#aa-start');
  await expectStatus(coord, /Audit \d+ started/, 'accuracy audit started in the page');
  await coord.waitForSelector('#aa-items .card');
  await coord.waitForFunction(() => [...document.querySelectorAll('#aa-items img.crop')].some((i) => i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0));
  log('ok: the sampled read is shown with its image');
  await coord.locator('#aa-items button', { hasText: 'Correct: read' }).first().click();
  await expectStatus(coord, /marked correct/, 'a sampled read verified as correct');
  check(/100\.0 %/.test(await coord.textContent('#aa-accuracy')), 'accuracy per camera shown');
  await shot(coord, '18-accuracy-audit');

  // 12e. A breach incident and its notice.
  await coord.goto(`${base}/#/breach`);
  await coord.waitForSelector('#br-form');
  await coord.fill('#br-agency', 'City of Example Police Department');
  await coord.fill('#br-contact', 'Records Unit');
  await coord.fill('#br-phone', '555-0100');
  await coord.fill('#br-happened', 'An account searched plates without a case.');
  await coord.selectOption('#br-date-kind', 'estimated');
  await coord.fill('#br-date1', localDt(Date.now()).slice(0, 10));
  await coord.click('#br-submit');
  await expectStatus(coord, /Incident \d+ recorded/, 'breach incident recorded in the page');
  await coord.fill('#br-account', 'patrol1');
  await coord.click('#br-produce');
  await coord.waitForSelector('#br-text');
  const notice = await coord.textContent('#br-text');
  check(/Notice of Data Breach/.test(notice) && /What Happened/.test(notice) && /For More Information/.test(notice), 'the notice text is shown with its headings');
  check(/format=html/.test(await coord.getAttribute('#br-download', 'href')), 'the HTML notice is offered as a download');
  await shot(coord, '19-breach-notice');

  // 12f. Retention: periods in force, a purge run now.
  await coord.goto(`${base}/#/retention`);
  await coord.waitForSelector('#ret-periods dl');
  check(/365/.test(await coord.textContent('#ret-periods')), 'retention periods in force shown');
  await coord.click('#ret-run');
  await expectStatus(coord, /Purge finished/, 'purge run from the retention page');
  await coord.waitForSelector('#ret-summary');
  await shot(coord, '20-retention');

  // 12g. Reports on the access log page.
  await coord.goto(`${base}/#/audit`);
  await coord.waitForSelector('#report-form');
  await coord.click('#report-form button[type=submit]');
  await coord.waitForSelector('#report-total');
  check(/\d+ plate-data entries/.test(await coord.textContent('#report-total')), 'access report shown');
  await coord.waitForSelector('#review-overdue');
  await shot(coord, '21-access-reports');

  // 12h. The new pages fit a phone width.
  await coord.setViewportSize({ width: 390, height: 844 });
  for (const [page, sel] of [['requests', '#rr-table'], ['audits', '#aa-form'], ['breach', '#br-form'], ['retention', '#ret-periods dl']]) {
    await coord.goto(`${base}/#/${page}`);
    await coord.waitForSelector(sel);
    const over = await coord.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(over <= 1, `${page} page fits a phone width (overflow ${over}px)`);
  }
  await shot(coord, '22-retention-phone');

  // 13. The public transparency page, without logon, aggregate figures only.
  const pub = await newPage('public');
  await pub.goto(`${base}/#/transparency`);
  await pub.waitForSelector('#tr-cameras');
  const pubText = await pub.textContent('#main');
  check(/Cameras/.test(pubText) && !/8ABC123|7VTR735|5PRK001/.test(pubText), 'transparency page is public and shows no plates');
  check(!(await pub.isVisible('#nav a[href="#/search"]')), 'public: no plate-data navigation');
  await pub.waitForSelector('#tr-log-head');
  const headText = await pub.textContent('#tr-log-head');
  check(/Signed head of the access log/.test(headText) && /custodian audit verify --against/.test(headText) &&
        (/No entry of the access log has been signed yet/.test(headText) || /[0-9a-f]{128}/.test(headText)),
        'transparency page: the access log\'s signed head, and how to check copies of it');
  await shot(pub, '14-transparency');

  // 14. Phone width.
  const phone = await newPage('phone', { width: 390, height: 844 });
  await phone.goto(`${base}/#/logon`);
  await phone.waitForSelector('#logon-form');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `logon page fits a phone width (overflow ${overflow}px)`);
  await shot(phone, '15-logon-phone');

  check(problems.length === 0, `no CSP violations or page errors${problems.length ? ':\n  ' + problems.join('\n  ') : ''}`);
  void coordCreds;
}

let code = 0;
try {
  await main();
  log(`PASS: web e2e (${((Date.now() - started) / 1000).toFixed(1)} s); screenshots in ${ARTIFACTS}`);
} catch (e) {
  code = 1;
  console.error(`FAIL: ${e.stack || e.message}`);
  if (problems.length) console.error('browser problems:\n  ' + problems.join('\n  '));
  console.error('--- server output (tail) ---\n' + serverLog.slice(-3000));
} finally {
  if (browser) await browser.close().catch(() => {});
  stopServer();
  if (dataDir && code === 0) fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
