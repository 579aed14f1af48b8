// Custodian web application: one page, hash routes, plain ES modules.
// Every string from the server goes into the page as text (never as HTML).
import { api, apiText, ApiError, setCsrf, toIso, fetchImageUrl } from './api.js';
import { h, field, select, table, say, fail, clearMessages, once } from './ui.js';

const state = { me: null, purposes: null, roles: null, stream: null, imageUrls: [] };

// ---- Permissions ----
function can(op) {
  if (!state.me) return false;
  return state.me.permissions.some((p) => p === op || p.startsWith(op + ':'));
}
function classesFor(op) {
  return (state.me?.permissions || []).filter((p) => p.startsWith(op + ':')).map((p) => p.split(':')[1]);
}

async function loadMe() {
  try {
    state.me = await api('GET', '/api/v1/me');
    setCsrf(state.me.csrf_token);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { state.me = null; setCsrf(''); } else throw e;
  }
}
async function purposes() {
  if (!state.purposes) state.purposes = await (await fetch('purposes.json')).json();
  return state.purposes;
}
async function roles() {
  if (!state.roles) state.roles = await (await fetch('roles.json')).json();
  return state.roles;
}

function updateChrome(route) {
  for (const a of document.querySelectorAll('#nav a')) {
    const p = a.dataset.perm;
    const show = p === '@any' || (p === '@session' ? !!state.me : can(p));
    a.parentElement.hidden = !show;
    if (a.getAttribute('href') === '#/' + route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const who = document.getElementById('who');
  who.textContent = state.me ? `${state.me.username} (${state.me.role})` : '';
  document.getElementById('logout').hidden = !state.me;
}

// ---- Routes ----
const routes = {
  logon: { title: 'Log on', public: true, render: renderLogon },
  'first-logon': { title: 'First logon', session: true, render: renderFirstLogon },
  acknowledgment: { title: 'Policy acknowledgment', render: renderAck },
  search: { title: 'Search plate reads', perm: 'search_reads', render: renderSearch },
  alerts: { title: 'Alert queue', perm: 'view_alerts', render: renderAlerts },
  hotlists: { title: 'Hotlists', perm: 'view_hotlists', render: renderHotlists },
  holds: { title: 'Legal holds', perm: 'place_holds', render: renderHolds },
  users: { title: 'Users', perm: 'manage_users', render: renderUsers },
  cameras: { title: 'Cameras and API keys', perm: 'manage_cameras', render: renderCameras },
  audit: { title: 'Access log', perm: 'view_access_log', render: renderAudit },
  grants: { title: 'Sharing grants', perm: 'manage_grants', render: renderGrants },
  requests: { title: 'Records requests', perm: 'submit_records_request', render: renderRequests },
  audits: { title: 'Accuracy audits', perm: 'accuracy_audit', render: renderAudits },
  breach: { title: 'Breach notices', perm: 'breach_notices', render: renderBreach },
  retention: { title: 'Retention', perm: 'manage_retention', render: renderRetention },
  transparency: { title: 'Transparency', public: true, render: renderTransparency },
};

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [name, query] = raw.split('?');
  return { name: name || '', params: new URLSearchParams(query || '') };
}
function go(name) { location.hash = '#/' + name; }

function homeRoute() {
  if (!state.me) return 'logon';
  if (state.me.must_enrol_totp || state.me.must_change_password) return 'first-logon';
  if (state.me.gates_missing.includes('sign the ALPR policy acknowledgment')) return 'acknowledgment';
  for (const r of ['search', 'alerts', 'users', 'audit', 'hotlists']) if (can(routes[r].perm)) return r;
  return 'transparency';
}

async function render() {
  if (state.stream) { state.stream.close(); state.stream = null; }
  for (const u of state.imageUrls) URL.revokeObjectURL(u);
  state.imageUrls = [];
  clearMessages();
  let { name, params } = parseHash();
  if (!routes[name]) name = homeRoute();
  const route = routes[name];
  if (!route.public || state.me) {
    await loadMe();  // fresh permissions and gates on every page (approvals happen elsewhere)
    if (!state.me) { if (!route.public) name = 'logon'; }
    else if (!route.public && (state.me.must_enrol_totp || state.me.must_change_password) && name !== 'first-logon') {
      name = 'first-logon';
    }
  }
  if (location.hash !== '#/' + name && parseHash().name !== name) history.replaceState(null, '', '#/' + name);
  const r = routes[name];
  updateChrome(name);
  document.title = `${r.title} - Custodian ALPR`;
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', {}, r.title));
  main.dataset.page = name;
  if (r.perm && !can(r.perm)) {
    main.append(h('p', { class: 'bad' }, 'Your role does not include this page.'));
    return;
  }
  if (state.me && !r.public && name !== 'first-logon' && state.me.gates_missing.length && r.perm &&
      ['search_reads', 'view_alerts', 'place_holds'].includes(r.perm)) {
    main.append(h('div', { class: 'gates' }, h('p', {}, 'Plate data stays closed until these are done:'),
      h('ul', {}, ...state.me.gates_missing.map((g) => h('li', {}, g)))));
  }
  try {
    await r.render(main, params);
  } catch (e) { fail(e); }
}

// ---- Logon ----
async function renderLogon(main) {
  const notice = await api('GET', '/api/v1/notice');
  const form = h('form', { id: 'logon-form', novalidate: true },
    h('h2', {}, 'System-use notice'),
    h('div', { class: 'notice', id: 'notice-text' }, notice.system_use_notice),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'notice-accepted', required: true }), ' ',
      h('label', { for: 'notice-accepted' }, 'I have read and accept the system-use notice')),
    field('Username', h('input', { type: 'text', id: 'username', autocomplete: 'username', required: true })),
    field('Password', h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true })),
    field('One-time code (authenticator app; leave empty at first logon)',
      h('input', { type: 'text', id: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8' })),
    h('div', {}, h('button', { type: 'submit', id: 'logon-submit' }, 'Log on')),
    h('p', {}, h('a', { href: '#/transparency' }, 'Public transparency figures')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearMessages();
    try {
      state.me = await api('POST', '/api/v1/session', {
        username: form.querySelector('#username').value.trim(),
        password: form.querySelector('#password').value,
        code: form.querySelector('#totp').value.trim(),
        notice_accepted: form.querySelector('#notice-accepted').checked,
      });
      setCsrf(state.me.csrf_token);
      go(homeRoute());
    } catch (e) { fail(e); }
  });
  main.append(form);
  form.querySelector('#username').focus();
}

async function refreshMe() { await loadMe(); updateChrome(parseHash().name); }

async function renderFirstLogon(main) {
  const me = state.me;
  main.append(h('p', {}, 'Before using the system, enrol an authenticator app and set your own password.'));
  if (me.must_enrol_totp) {
    const out = h('div', { id: 'mfa-details' });
    const start = h('button', { type: 'button', id: 'mfa-start' }, 'Start enrolment');
    const confirmForm = h('form', { id: 'mfa-confirm-form', hidden: true },
      field('Code shown by the app', h('input', { type: 'text', id: 'mfa-code', inputmode: 'numeric', autocomplete: 'one-time-code' })),
      h('div', {}, h('button', { type: 'submit' }, 'Confirm code')));
    start.addEventListener('click', async () => {
      try {
        const e = await api('POST', '/api/v1/me/mfa/enrol');
        out.replaceChildren(
          h('p', {}, 'Add this secret to your authenticator app (type it, or use the URI):'),
          h('label', { for: 'mfa-secret' }, 'Secret'), h('output', { id: 'mfa-secret', class: 'secret' }, e.secret),
          h('label', { for: 'mfa-uri' }, 'otpauth URI'), h('output', { id: 'mfa-uri', class: 'secret' }, e.uri));
        confirmForm.hidden = false;
        confirmForm.querySelector('#mfa-code').focus();
      } catch (err) { fail(err); }
    });
    confirmForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        state.me = await api('POST', '/api/v1/me/mfa/confirm', { code: confirmForm.querySelector('#mfa-code').value.trim() });
        setCsrf(state.me.csrf_token);
        say('Multi-factor authentication enrolled.');
        await render();
      } catch (err) { fail(err); }
    });
    main.append(h('section', {}, h('h2', {}, '1. Enrol multi-factor authentication'), start, out, confirmForm));
    return;
  }
  if (me.must_change_password) {
    const form = h('form', { id: 'password-form' },
      h('h2', {}, '2. Set your own password'),
      field('Current (one-time) password', h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password' })),
      field('New password (at least 8 characters; a few unrelated words make a strong one)',
        h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' })),
      field('New password again', h('input', { type: 'password', id: 'pw-again', autocomplete: 'new-password' })),
      h('div', {}, h('button', { type: 'submit' }, 'Change password')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const next = form.querySelector('#pw-new').value;
      if (next !== form.querySelector('#pw-again').value) { fail('The two new passwords differ.'); return; }
      try {
        state.me = await api('POST', '/api/v1/me/password', { current: form.querySelector('#pw-current').value, new: next });
        setCsrf(state.me.csrf_token);
        say('Password changed.');
        go(homeRoute());
      } catch (err) { fail(err); }
    });
    main.append(form);
    return;
  }
  main.append(h('p', {}, 'Nothing left to do here. ', h('a', { href: '#/' + homeRoute() }, 'Continue')));
}

async function renderAck(main) {
  const notice = await api('GET', '/api/v1/notice');
  await refreshMe();
  const gates = h('div', { class: 'gates', id: 'gates' },
    h('p', {}, state.me.gates_missing.length ? 'Still needed before plate data opens:' : 'All requirements are met.'),
    h('ul', {}, ...state.me.gates_missing.map((g) => h('li', {}, g))));
  main.append(gates);
  if (!state.me.gates_missing.includes('sign the ALPR policy acknowledgment')) {
    main.append(h('p', { class: 'ok', id: 'ack-signed' }, 'You have signed the acknowledgment.'));
    return;
  }
  const boxes = notice.acknowledgment_statements.map((s, i) =>
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `ack-${i}` }), ' ', h('label', { for: `ack-${i}` }, s)));
  const form = h('form', { id: 'ack-form' },
    h('fieldset', {}, h('legend', {}, 'I acknowledge that'), ...boxes),
    field('Type your full name as your signature', h('input', { type: 'text', id: 'ack-name', autocomplete: 'name' })),
    h('div', {}, h('button', { type: 'submit' }, 'Sign the acknowledgment')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/v1/me/acknowledgment', {
        statements: notice.acknowledgment_statements.map((_, i) => form.querySelector(`#ack-${i}`).checked),
        typed_name: form.querySelector('#ack-name').value,
      });
      say('Acknowledgment signed; a supervisor and the ALPR coordinator must now approve it.');
      await render();
    } catch (err) { fail(err); }
  });
  main.append(form);
}

// ---- Purpose and case (asked first on every plate-data page) ----
async function purposeFields(prefix, defaults = {}) {
  const p = await purposes();
  const sel = select(`${prefix}-purpose`, [['', 'Choose a purpose...'], ...Object.entries(p.allowed)], defaults.purpose || '');
  const caseInput = h('input', { type: 'text', id: `${prefix}-case`, placeholder: 'e.g. 24-CR-0117', value: defaults.case || '' });
  return {
    el: h('fieldset', { class: 'purpose' }, h('legend', {}, 'Why (required, logged)'),
      h('div', { class: 'row' }, h('div', {}, h('label', { for: sel.id }, 'Purpose'), sel),
        h('div', {}, h('label', { for: caseInput.id }, 'Case or incident number'), caseInput))),
    value: () => ({ purpose: sel.value, case: caseInput.value.trim() }),
  };
}

// ---- Search ----
async function renderSearch(main, params) {
  const why = await purposeFields('search', { purpose: params.get('purpose'), case: params.get('case') });
  const classes = classesFor('search_reads');
  const form = h('form', { id: 'search-form' }, why.el,
    h('fieldset', {}, h('legend', {}, 'What'),
      h('div', { class: 'row' },
        h('div', {}, field('Plate', h('input', { type: 'text', id: 'search-plate', autocapitalize: 'characters', placeholder: 'e.g. 7ABC123 or 7AB*' }))),
        h('div', {}, h('label', { for: 'search-match' }, 'Match'),
          select('search-match', [['exact', 'Exact'], ['wildcard', 'Wildcard (* and ?)'], ['fuzzy', 'Fuzzy (misread-tolerant)']], 'exact'))),
      h('div', { class: 'row' },
        h('div', {}, field('From (local time)', h('input', { type: 'datetime-local', id: 'search-from' }))),
        h('div', {}, field('To (local time)', h('input', { type: 'datetime-local', id: 'search-to' })))),
      h('div', { class: 'row' },
        h('div', {}, field('Camera id (optional)', h('input', { type: 'text', id: 'search-camera' }))),
        h('div', {}, h('label', { for: 'search-class' }, 'Data class'),
          select('search-class', [['', 'Any I may search'], ...classes.map((c) => [c, c.replace(/_/g, ' ')])], '')),
        h('div', {}, field('Limit', h('input', { type: 'number', id: 'search-limit', min: '1', max: '1000', value: '100' }))))),
    h('div', {}, h('button', { type: 'submit', id: 'search-submit' }, 'Search')));
  const results = h('section', { id: 'search-results', 'aria-live': 'polite' });
  main.append(form, results);
  form.querySelector('#search-purpose').focus();
  let cursor = '';
  async function run(more) {
    const w = why.value();
    if (!w.purpose || !w.case) { fail('Choose a purpose and give a case or incident number first.'); return; }
    const q = new URLSearchParams({ purpose: w.purpose, case: w.case });
    const plate = form.querySelector('#search-plate').value.trim();
    if (plate) { q.set('plate', plate); q.set('match', form.querySelector('#search-match').value); }
    const from = toIso(form.querySelector('#search-from').value);
    const to = toIso(form.querySelector('#search-to').value);
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    const cam = form.querySelector('#search-camera').value.trim();
    if (cam) q.set('camera', cam);
    const cls = form.querySelector('#search-class').value;
    if (cls) q.set('class', cls);
    q.set('limit', form.querySelector('#search-limit').value || '100');
    if (more && cursor) q.set('cursor', cursor);
    clearMessages();
    try {
      const page = await api('GET', '/api/v1/reads?' + q);
      cursor = page.next_cursor || '';
      showResults(page.reads, w);
      say(`${page.reads.length} read(s) found.`);
    } catch (e) { fail(e); }
  }
  function showResults(reads, w) {
    const holdBtn = h('button', { type: 'button', class: 'secondary', id: 'hold-selected' }, 'Place a hold on selected reads');
    const rows = reads.map((r) => {
      const img = h('img', { class: 'thumb', alt: `Plate crop of read ${r.id}` });
      const cell = r.has_crop ? img : h('span', { class: 'muted' }, 'no crop');
      if (r.has_crop) {
        fetchImageUrl(r.id, 'crop', w).then((u) => { state.imageUrls.push(u); img.src = u; })
          .catch(() => { img.alt = 'image not available'; });
      }
      return [h('input', { type: 'checkbox', class: 'pick', value: String(r.id), 'aria-label': `Select read ${r.id}` }),
        cell, r.plate, new Date(r.captured_at).toLocaleString(), r.camera_id, r.data_class.replace(/_/g, ' '),
        (r.confidence * 100).toFixed(0) + '%', String(r.id)];
    });
    holdBtn.addEventListener('click', () => {
      const ids = [...results.querySelectorAll('input.pick:checked')].map((c) => c.value);
      if (!ids.length) { fail('Select at least one read.'); return; }
      location.hash = `#/holds?reads=${ids.join(',')}&case=${encodeURIComponent(w.case)}`;
    });
    const next = h('button', { type: 'button', class: 'secondary', hidden: !cursor }, 'More results');
    next.addEventListener('click', () => run(true));
    results.replaceChildren(
      h('h2', {}, `Results (${reads.length})`),
      table(['Select', 'Plate crop', 'Plate', 'Captured', 'Camera', 'Class', 'Confidence', 'Read id'], rows, 'results-table'),
      h('div', { class: 'actions' }, holdBtn, next),
      h('h2', {}, 'Sightings by camera'), sightings(reads));
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run(false); });
}

// A bar diagram of sightings per camera (SVG, no map tiles), with a text list for screen readers.
function sightings(reads) {
  const by = new Map();
  for (const r of reads) {
    const e = by.get(r.camera_id) || { n: 0, first: r.captured_at, last: r.captured_at };
    e.n += 1;
    if (r.captured_at < e.first) e.first = r.captured_at;
    if (r.captured_at > e.last) e.last = r.captured_at;
    by.set(r.camera_id, e);
  }
  const entries = [...by.entries()].sort((a, b) => b[1].n - a[1].n);
  const max = Math.max(1, ...entries.map(([, e]) => e.n));
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  const rowH = 26;
  svg.setAttribute('viewBox', `0 0 600 ${Math.max(1, entries.length) * rowH + 10}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Sightings per camera');
  entries.forEach(([cam, e], i) => {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', '0'); t.setAttribute('y', String(i * rowH + 18));
    t.textContent = cam.length > 22 ? cam.slice(0, 21) + '…' : cam;
    const rect = document.createElementNS(NS, 'rect');
    rect.setAttribute('x', '170'); rect.setAttribute('y', String(i * rowH + 5));
    rect.setAttribute('height', '18'); rect.setAttribute('width', String(Math.max(2, (e.n / max) * 380)));
    const n = document.createElementNS(NS, 'text');
    n.setAttribute('x', String(176 + (e.n / max) * 380)); n.setAttribute('y', String(i * rowH + 18));
    n.textContent = String(e.n);
    svg.append(t, rect, n);
  });
  const list = h('ul', { id: 'sightings-list' }, ...entries.map(([cam, e]) =>
    h('li', {}, `${cam}: ${e.n} read(s), ${new Date(e.first).toLocaleString()} to ${new Date(e.last).toLocaleString()}`)));
  return h('figure', {}, svg, h('figcaption', {}, list));
}

// ---- Alerts ----
async function renderAlerts(main) {
  const caseIn = h('input', { type: 'text', id: 'alert-case', placeholder: 'incident number, e.g. 24-CR-0117' });
  const filter = select('alert-filter', [['unreviewed', 'Unreviewed'], ['all', 'All recent']], 'unreviewed');
  const live = h('p', { id: 'stream-state', class: 'muted' }, 'Live updates: connecting…');
  const list = h('div', { class: 'cards', id: 'alert-list' });
  main.append(
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'alert-case' }, 'Incident number for viewing read images (purpose: verifying a hotlist alert; default ALERT-id)'), caseIn),
      h('div', {}, h('label', { for: 'alert-filter' }, 'Show'), filter)),
    live, list);
  const seen = new Map();
  const images = new Map();  // alert id -> blob: URL of its read image, kept across re-renders
  const reviewer = classesFor('review_alerts').length > 0;
  function card(a) {
    const c = h('article', { class: `card ${a.state}`, id: `alert-${a.id}`, 'aria-labelledby': `alert-${a.id}-h` });
    const img = h('img', { class: 'crop', alt: `Plate image of read ${a.read_id}`, hidden: !images.has(a.id) });
    if (images.has(a.id)) img.src = images.get(a.id);
    const show = (u) => { state.imageUrls.push(u); images.set(a.id, u); img.src = u; img.hidden = false; };
    const imgBox = h('div', {}, h('h3', {}, 'Read'), img,
      h('p', {}, `Plate read: `, h('strong', {}, a.read_plate), ` ${a.read_region || ''}`),
      h('p', {}, `Camera ${a.camera_id}, ${new Date(a.captured_at).toLocaleString()}`));
    const loadImg = h('button', { type: 'button', class: 'secondary' }, 'Show read image');
    loadImg.addEventListener('click', async () => {
      const why = { purpose: 'hotlist_alert', case: caseIn.value.trim() || `ALERT-${a.id}` };
      try { show(await fetchImageUrl(a.read_id, 'crop', why)); }
      catch (e) {
        try { show(await fetchImageUrl(a.read_id, 'frame', why)); }
        catch (e2) { fail(e2); }
      }
    });
    imgBox.append(loadImg);
    const record = h('div', {}, h('h3', {}, 'Hotlist record'),
      h('dl', { class: 'figures' },
        h('dt', {}, 'Plate'), h('dd', {}, h('strong', {}, a.entry_plate)),
        h('dt', {}, 'State'), h('dd', {}, a.entry_state || '-'),
        h('dt', {}, 'List'), h('dd', {}, `${a.hotlist} (${a.category.replace(/_/g, ' ')})`),
        h('dt', {}, 'Reason'), h('dd', {}, a.entry_reason || '-'),
        h('dt', {}, 'Match'), h('dd', {}, a.exact ? 'exact' : 'fuzzy — check closely'),
        h('dt', {}, 'Status'), h('dd', { class: 'alert-state' }, a.state)));
    c.append(h('h2', { id: `alert-${a.id}-h` }, `Alert ${a.id}: ${a.read_plate} on ${a.hotlist}`),
      h('div', { class: 'compare' }, imgBox, record));
    if (reviewer && (a.state === 'new' || a.state === 'acknowledged')) {
      const ack = h('button', { type: 'button', class: 'ack' }, 'Acknowledge');
      const confirmForm = h('form', { class: 'confirm-form', hidden: a.state !== 'acknowledged' },
        h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `checked-${a.id}`, class: 'image-checked' }), ' ',
          h('label', { for: `checked-${a.id}` }, 'I compared the plate image with the hotlist record')),
        field('Action taken', h('input', { type: 'text', id: `action-${a.id}`, class: 'action', placeholder: 'e.g. stop made, dispatch notified' })),
        h('div', {}, h('button', { type: 'submit' }, 'Confirm hit')));
      const dismissForm = h('form', { class: 'dismiss-form' },
        field('Note', h('input', { type: 'text', id: `note-${a.id}`, value: 'misread' })),
        h('div', {}, h('button', { type: 'submit', class: 'danger' }, 'Dismiss as misread')));
      ack.hidden = a.state !== 'new';
      ack.addEventListener('click', async () => {
        try { const n = await api('POST', `/api/v1/alerts/${a.id}/acknowledge`); say(`Alert ${a.id} acknowledged.`); replace(n); }
        catch (e) { fail(e); }
      });
      confirmForm.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const checked = confirmForm.querySelector('.image-checked').checked;
        if (!checked) { fail('Compare the plate image with the hotlist record first.'); return; }
        try {
          const n = await api('POST', `/api/v1/alerts/${a.id}/confirm`, { image_checked: true, action: confirmForm.querySelector('.action').value.trim() });
          say(`Alert ${a.id} confirmed.`); replace(n);
        } catch (e) { fail(e); }
      });
      dismissForm.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
          const n = await api('POST', `/api/v1/alerts/${a.id}/dismiss`, { note: dismissForm.querySelector('input').value.trim() || 'misread' });
          say(`Alert ${a.id} dismissed as a misread.`); replace(n);
        } catch (e) { fail(e); }
      });
      c.append(h('div', { class: 'actions review' }, ack), confirmForm, dismissForm);
    } else if (a.resolved_by) {
      c.append(h('p', { class: 'muted' }, `Reviewed by ${a.resolved_by}${a.action ? ': ' + a.action : ''}`));
    }
    return c;
  }
  function replace(a) {
    seen.set(a.id, a);
    const old = document.getElementById(`alert-${a.id}`);
    const fresh = card(a);
    if (old) old.replaceWith(fresh); else list.prepend(fresh);
  }
  async function load() {
    const q = filter.value === 'unreviewed' ? '?unreviewed=1' : '';
    const r = await api('GET', '/api/v1/alerts' + q);
    list.replaceChildren(...r.alerts.map((a) => { seen.set(a.id, a); return card(a); }));
    if (!r.alerts.length) list.append(h('p', { class: 'muted', id: 'no-alerts' }, 'No alerts.'));
  }
  filter.addEventListener('change', () => load().catch(fail));
  await load();
  const es = new EventSource('/api/v1/alerts/stream');
  state.stream = es;
  es.onopen = () => { live.textContent = 'Live updates: connected.'; live.dataset.state = 'open'; };
  es.onerror = () => { live.textContent = 'Live updates: reconnecting…'; live.dataset.state = 'error'; };
  es.addEventListener('alert', (ev) => {
    const a = JSON.parse(ev.data);
    if (seen.has(a.id)) return;
    document.getElementById('no-alerts')?.remove();
    replace(a);
    document.getElementById('live-alerts').textContent = `New hotlist alert: ${a.read_plate} on ${a.hotlist}`;
  });
}

// ---- Hotlists ----
async function renderHotlists(main) {
  const listBox = h('section', { id: 'hotlist-list' });
  main.append(listBox);
  async function load() {
    const r = await api('GET', '/api/v1/hotlists');
    listBox.replaceChildren(h('h2', {}, 'Lists'), table(['Name', 'Category', 'Agency', 'Fuzzy', 'Entries'],
      r.hotlists.map((l) => [l.name, l.category.replace(/_/g, ' '), l.agency_code, l.fuzzy ? 'yes' : 'no', String(l.entries)]), 'hotlists-table'));
    const sel = document.getElementById('import-list');
    if (sel) sel.replaceChildren(...r.hotlists.map((l) => h('option', { value: l.name }, l.name)));
    return r.hotlists;
  }
  await load();
  if (!can('manage_hotlists')) return;
  const create = h('form', { id: 'hotlist-create' }, h('h2', {}, 'Create a hotlist'),
    h('div', { class: 'row' },
      h('div', {}, field('Name', h('input', { type: 'text', id: 'hl-name' }))),
      h('div', {}, h('label', { for: 'hl-category' }, 'Category'), select('hl-category',
        ['stolen_vehicle', 'stolen_plate', 'amber_missing_person', 'wanted', 'bolo', 'parking_scofflaw_permit'].map((c) => [c, c.replace(/_/g, ' ')]), 'stolen_vehicle')),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'hl-fuzzy' }), ' ', h('label', { for: 'hl-fuzzy' }, 'Fuzzy matching'))),
    h('div', {}, h('button', { type: 'submit' }, 'Create')));
  create.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/api/v1/hotlists', { name: create.querySelector('#hl-name').value.trim(),
        category: create.querySelector('#hl-category').value, fuzzy: create.querySelector('#hl-fuzzy').checked });
      say('Hotlist created.'); await load();
    } catch (e) { fail(e); }
  });
  const text = h('textarea', { id: 'import-text', placeholder: 'plate,state,reason,expires\n7ABC123,CA,stolen 24-CR-0117,' });
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.txt,text/csv,text/plain' });
  file.addEventListener('change', async () => { if (file.files[0]) text.value = await file.files[0].text(); });
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const imp = h('form', { id: 'hotlist-import' }, h('h2', {}, 'Import entries'),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'import-list' }, 'List'), select('import-list', [], '')),
      h('div', {}, h('label', { for: 'import-format' }, 'Format'), select('import-format', [['csv', 'CSV (plate,state,reason,expires)'], ['svs', 'CA DOJ SVS fixed width']], 'csv'))),
    field('Entries (paste, or choose a file below)', text),
    field('File', file),
    h('div', {}, h('button', { type: 'submit' }, 'Import')), result);
  imp.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const list = imp.querySelector('#import-list').value;
    if (!list) { fail('Create or choose a list first.'); return; }
    try {
      const r = await api('POST', `/api/v1/hotlists/${encodeURIComponent(list)}/entries?format=${imp.querySelector('#import-format').value}`,
        text.value, { contentType: 'text/csv' });
      result.replaceChildren(h('p', {}, `Added ${r.added}, updated ${r.updated}, retroactive alerts ${r.retro_alerts}.`),
        ...(r.errors.length ? [h('ul', { class: 'bad' }, ...r.errors.map((e) => h('li', {}, `line ${e.line}: ${e.message}`)))] : []));
      say('Import finished.'); await load();
    } catch (e) { fail(e); }
  });
  main.append(create, imp);
  await load();
}

// ---- Holds ----
async function renderHolds(main, params) {
  const form = h('form', { id: 'hold-form' }, h('h2', {}, 'Place a hold'),
    h('div', { class: 'row' },
      h('div', {}, field('Case number', h('input', { type: 'text', id: 'hold-case', value: params.get('case') || '' }))),
      h('div', {}, field('Reason', h('input', { type: 'text', id: 'hold-reason' })))),
    h('fieldset', {}, h('legend', {}, 'Which reads'),
      field('Read ids (comma separated)', h('input', { type: 'text', id: 'hold-reads', value: params.get('reads') || '' })),
      h('p', { class: 'muted' }, 'or every read of a plate:'),
      h('div', { class: 'row' },
        h('div', {}, field('Plate', h('input', { type: 'text', id: 'hold-plate' }))),
        h('div', {}, h('label', { for: 'hold-match' }, 'Match'), select('hold-match', [['exact', 'Exact'], ['wildcard', 'Wildcard'], ['fuzzy', 'Fuzzy']], 'exact')))),
    h('div', {}, h('button', { type: 'submit' }, 'Place hold')));
  const all = h('input', { type: 'checkbox', id: 'holds-all' });
  const listBox = h('section', { id: 'holds-list' });
  const exported = h('div', { id: 'hold-export', 'aria-live': 'polite' });
  main.append(form, h('h2', {}, 'Holds'), h('div', { class: 'check' }, all, ' ', h('label', { for: 'holds-all' }, 'Include released holds')), exported, listBox);
  async function load() {
    const r = await api('GET', '/api/v1/holds' + (all.checked ? '?all=1' : ''));
    listBox.replaceChildren(table(['Id', 'Case', 'Reason', 'Placed by', 'Placed', 'Reads', 'Status', ''], r.holds.map((x) => {
      const act = h('div', { class: 'actions' });
      if (!x.released_at) {
        const rel = h('button', { type: 'button', class: 'secondary' }, `Release hold ${x.id}`);
        rel.addEventListener('click', async () => {
          if (!window.confirm(`Release hold ${x.id}? Its reads become subject to retention again.`)) return;
          try { await api('POST', `/api/v1/holds/${x.id}/release`); say(`Hold ${x.id} released.`); await load(); } catch (e) { fail(e); }
        });
        act.append(rel);
      }
      if (can('export_evidence')) {
        const exp = h('button', { type: 'button', class: 'secondary' }, `Export evidence of hold ${x.id}`);
        exp.addEventListener('click', async () => {
          try {
            const r = await api('POST', `/api/v1/holds/${x.id}/export`);
            exported.replaceChildren(h('div', { class: 'once' },
              h('p', {}, `Hold ${x.id}: ${r.reads} read(s) and ${r.images} image(s) exported into:`), h('output', { class: 'secret', id: 'hold-export-dir' }, r.export_dir),
              h('p', {}, 'Recipients verify the signed manifest with the agency public key:'), h('output', { class: 'secret' }, r.public_key)));
            say(`Evidence of hold ${x.id} exported.`);
          } catch (e) { fail(e); }
        });
        act.append(exp);
      }
      return [String(x.id), x.case_number, x.reason, x.placed_by, new Date(x.placed_at).toLocaleString(),
        String(x.reads), x.released_at ? `released by ${x.released_by}` : 'in force', act];
    }), 'holds-table'));
  }
  all.addEventListener('change', () => load().catch(fail));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { case_number: form.querySelector('#hold-case').value.trim(), reason: form.querySelector('#hold-reason').value.trim() };
    const ids = form.querySelector('#hold-reads').value.split(/[\s,]+/).filter(Boolean).map(Number);
    if (ids.some((n) => !Number.isInteger(n) || n <= 0)) { fail('Read ids are whole numbers.'); return; }
    if (ids.length) body.read_ids = ids;
    const plate = form.querySelector('#hold-plate').value.trim();
    if (plate) { body.plate = plate; body.match = form.querySelector('#hold-match').value; }
    if (!ids.length && !plate) { fail('Give read ids or a plate.'); return; }
    try { const x = await api('POST', '/api/v1/holds', body); say(`Hold ${x.id} placed on ${x.reads} read(s).`); await load(); }
    catch (e) { fail(e); }
  });
  await load();
}

// ---- Users ----
async function renderUsers(main) {
  const r = await roles();
  const roleNames = Object.keys(r.roles);
  const shown = h('div', { id: 'user-once', 'aria-live': 'polite' });
  const form = h('form', { id: 'user-create' }, h('h2', {}, 'Create a user'),
    h('div', { class: 'row' },
      h('div', {}, field('Username', h('input', { type: 'text', id: 'nu-username', autocomplete: 'off' }))),
      h('div', {}, field('Full name', h('input', { type: 'text', id: 'nu-fullname', autocomplete: 'off' }))),
      h('div', {}, h('label', { for: 'nu-role' }, 'Role'), select('nu-role', roleNames.map((n) => [n, r.roles[n].title]), 'patrol')),
      h('div', {}, field('Supervisor (username, optional)', h('input', { type: 'text', id: 'nu-supervisor' })))),
    h('div', {}, h('button', { type: 'submit' }, 'Create user')), shown);
  const listBox = h('section', { id: 'users-list' });
  main.append(form, h('h2', {}, 'Accounts'), listBox);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body = { username: form.querySelector('#nu-username').value.trim(), full_name: form.querySelector('#nu-fullname').value.trim(),
        role: form.querySelector('#nu-role').value };
      const sup = form.querySelector('#nu-supervisor').value.trim();
      if (sup) body.supervisor = sup;
      const made = await api('POST', '/api/v1/users', body);
      shown.replaceChildren(once(`One-time password for ${made.username} (shown once; give it to the user in person):`, made.initial_password, 'new-user-password'));
      form.reset();
      await load();
    } catch (e) { fail(e); }
  });
  async function act(user, action, body, msg) {
    try {
      const res = await api('POST', `/api/v1/users/${encodeURIComponent(user)}/${action}`, body || {});
      if (res.initial_password) shown.replaceChildren(once(`New one-time password for ${user} (shown once):`, res.initial_password, 'new-user-password'));
      say(msg); await load();
    } catch (e) { fail(e); }
  }
  async function load() {
    const res = await api('GET', '/api/v1/users');
    listBox.replaceChildren(table(['User', 'Name', 'Role', 'State', 'MFA', 'Ack signed', 'Supervisor ok', 'Coordinator ok', 'Training', 'Last logon', 'Actions'],
      res.users.map((u) => {
        const b = (label, fn, cls = 'secondary') => { const x = h('button', { type: 'button', class: cls }, label); x.addEventListener('click', fn); return x; };
        const roleSel = select(`role-${u.username}`, roleNames.map((n) => [n, n]), u.role);
        roleSel.setAttribute('aria-label', `Role for ${u.username}`);
        const course = h('input', { type: 'text', value: 'ALPR policy and use', 'aria-label': `Training course for ${u.username}` });
        const actions = h('div', { class: 'actions', 'data-user': u.username },
          b('Unlock', () => act(u.username, 'unlock', {}, `${u.username} unlocked.`)),
          roleSel, b('Set role', () => act(u.username, 'role', { role: roleSel.value }, `Role of ${u.username} set.`)),
          course, b('Record training', () => act(u.username, 'training', { course: course.value, completed: toIso(null) }, `Training recorded for ${u.username}.`)),
          b('Approve as supervisor', () => act(u.username, 'approve', { as: 'supervisor' }, `Supervisor approval recorded for ${u.username}.`)),
          b('Approve as coordinator', () => act(u.username, 'approve', { as: 'coordinator' }, `Coordinator approval recorded for ${u.username}.`)),
          b('Reset password', () => act(u.username, 'reset-password', {}, `Password of ${u.username} reset.`)),
          b('Reset MFA', () => act(u.username, 'reset-mfa', {}, `MFA of ${u.username} reset.`)),
          b('Separate', () => { if (window.confirm(`Separate ${u.username}? The account is closed for good.`)) act(u.username, 'separate', { reason: 'separation' }, `${u.username} separated.`); }, 'danger'));
        const yes = (v) => (v ? 'yes' : 'no');
        return [u.username, u.full_name, u.role, u.state + (u.state_reason ? ` (${u.state_reason})` : ''), yes(u.totp_enrolled),
          yes(u.acknowledgment_signed), yes(u.supervisor_approved), yes(u.coordinator_approved),
          u.training_completed ? new Date(u.training_completed).toLocaleDateString() : 'none',
          u.last_logon ? new Date(u.last_logon).toLocaleString() : 'never', actions];
      }), 'users-table'));
  }
  await load();
}

// ---- Cameras and keys ----
async function renderCameras(main) {
  const cam = h('form', { id: 'camera-create' }, h('h2', {}, 'Register a camera'),
    h('div', { class: 'row' },
      h('div', {}, field('Camera id', h('input', { type: 'text', id: 'cam-id' }))),
      h('div', {}, field('Name', h('input', { type: 'text', id: 'cam-name' }))),
      h('div', {}, h('label', { for: 'cam-kind' }, 'Kind'), select('cam-kind', [['fixed', 'Fixed'], ['mobile', 'Mobile'], ['parking', 'Parking']], 'fixed')),
      h('div', {}, h('label', { for: 'cam-class' }, 'Data class'), select('cam-class', [['public_safety', 'Public safety'], ['non_public_safety', 'Non-public-safety (parking etc.)']], 'public_safety'))),
    h('div', { class: 'row' },
      h('div', {}, field('Latitude (optional)', h('input', { type: 'text', id: 'cam-lat', inputmode: 'decimal' }))),
      h('div', {}, field('Longitude (optional)', h('input', { type: 'text', id: 'cam-lon', inputmode: 'decimal' })))),
    h('div', {}, h('button', { type: 'submit' }, 'Save camera')));
  cam.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { id: cam.querySelector('#cam-id').value.trim(), name: cam.querySelector('#cam-name').value.trim(),
      kind: cam.querySelector('#cam-kind').value, data_class: cam.querySelector('#cam-class').value };
    const lat = cam.querySelector('#cam-lat').value.trim(); const lon = cam.querySelector('#cam-lon').value.trim();
    if (lat && lon) { body.lat = Number(lat); body.lon = Number(lon); }
    try {
      await api('POST', '/api/v1/cameras', body);
      say(`Camera ${body.id} saved.`);
      key.querySelector('#key-camera').value = body.id;
    } catch (e) { fail(e); }
  });
  const shown = h('div', { id: 'key-once', 'aria-live': 'polite' });
  const key = h('form', { id: 'key-create' }, h('h2', {}, 'Issue an API key'),
    h('div', { class: 'row' },
      h('div', {}, field('Camera id', h('input', { type: 'text', id: 'key-camera' }))),
      h('div', {}, field('Key name', h('input', { type: 'text', id: 'key-name', value: 'camera' })))),
    h('div', {}, h('button', { type: 'submit' }, 'Issue key')), shown);
  key.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const k = await api('POST', `/api/v1/cameras/${encodeURIComponent(key.querySelector('#key-camera').value.trim())}/keys`,
        { name: key.querySelector('#key-name').value.trim() || 'camera' });
      shown.replaceChildren(once(`API key ${k.id} for camera ${k.camera_id} (shown once; store it in the camera):`, k.key, 'new-api-key'));
      await load();
    } catch (e) { fail(e); }
  });
  const listBox = h('section', { id: 'keys-list' });
  main.append(cam, key, h('h2', {}, 'API keys'), listBox);
  async function load() {
    const r = await api('GET', '/api/v1/keys');
    listBox.replaceChildren(table(['Id', 'Name', 'Camera', 'Scope', 'Created by', 'Created', 'Status', ''], r.keys.map((k) => {
      let btn = '';
      if (!k.revoked) {
        btn = h('button', { type: 'button', class: 'danger' }, `Revoke key ${k.id}`);
        btn.addEventListener('click', async () => {
          if (!window.confirm(`Revoke key ${k.id}? The camera stops ingesting until it has a new key.`)) return;
          try { await api('DELETE', `/api/v1/keys/${k.id}`); say(`Key ${k.id} revoked.`); await load(); } catch (e) { fail(e); }
        });
      }
      return [String(k.id), k.name, k.camera_id, k.scope, k.created_by, new Date(k.created_at).toLocaleString(), k.revoked ? 'revoked' : 'active', btn];
    }), 'keys-table'));
  }
  await load();
}

// ---- Access log ----
async function renderAudit(main) {
  const verify = h('section', { id: 'verify', 'aria-live': 'polite' }, h('p', {}, 'Verifying the log chain…'));
  const form = h('form', { id: 'audit-filter' }, h('h2', {}, 'Filter'),
    h('div', { class: 'row' },
      h('div', {}, field('From (local time)', h('input', { type: 'datetime-local', id: 'log-from' }))),
      h('div', {}, field('To (local time)', h('input', { type: 'datetime-local', id: 'log-to' }))),
      h('div', {}, field('Username', h('input', { type: 'text', id: 'log-user' }))),
      h('div', {}, field('Action', h('input', { type: 'text', id: 'log-action', placeholder: 'e.g. search_reads' })))),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'log-outcome' }, 'Outcome'), select('log-outcome', [['', 'Any'], ['allowed', 'Allowed'], ['denied', 'Denied']], '')),
      h('div', {}, field('Case number', h('input', { type: 'text', id: 'log-case' }))),
      h('div', {}, field('Search term (plate)', h('input', { type: 'text', id: 'log-term' }))),
      h('div', {}, field('Limit', h('input', { type: 'number', id: 'log-limit', value: '200', min: '1', max: '5000' })))),
    h('div', {}, h('button', { type: 'submit' }, 'Show entries')));
  const listBox = h('section', { id: 'log-entries' });
  const flags = h('section', { id: 'flags' });
  main.append(verify, flags, form, listBox);
  async function loadVerify() {
    try {
      const v = await api('GET', '/api/v1/audit/verify');
      verify.replaceChildren(h('h2', {}, 'Chain verification'),
        h('p', { class: v.ok ? 'ok' : 'bad', id: 'verify-status' }, v.ok ? `Chain intact: ${v.entries} entries, ${v.checkpoints} signed checkpoint(s).`
          : `CHAIN BROKEN at entry ${v.first_bad_seq}: ${v.problem}`),
        h('p', { class: 'muted' }, 'Agency signing key: ', h('code', {}, v.public_key)));
    } catch (e) { verify.replaceChildren(h('p', { class: 'bad' }, `Verification failed: ${e.message}`)); }
  }
  async function loadFlags() {
    if (!can('access_reports')) return;
    try {
      const f = await api('GET', '/api/v1/audit/flags');
      flags.replaceChildren(h('h2', {}, 'Misuse flags (last 7 days)'), f.flags.length
        ? table(['Kind', 'User', 'Detail', 'Entries'], f.flags.map((x) => [x.kind.replace(/_/g, ' '), x.username, x.detail, x.seqs.join(', ')]), 'flags-table')
        : h('p', { class: 'muted', id: 'no-flags' }, 'No misuse flags.'));
    } catch (e) { flags.replaceChildren(h('p', { class: 'bad' }, e.message)); }
  }
  async function load() {
    const q = new URLSearchParams();
    const set = (k, v) => { if (v) q.set(k, v); };
    set('from', toIso(form.querySelector('#log-from').value)); set('to', toIso(form.querySelector('#log-to').value));
    set('username', form.querySelector('#log-user').value.trim()); set('action', form.querySelector('#log-action').value.trim());
    set('outcome', form.querySelector('#log-outcome').value); set('case', form.querySelector('#log-case').value.trim());
    set('term', form.querySelector('#log-term').value.trim()); set('limit', form.querySelector('#log-limit').value);
    const r = await api('GET', '/api/v1/audit/log?' + q);
    listBox.replaceChildren(h('h2', {}, `Entries (${r.entries.length})`),
      table(['Seq', 'At', 'User', 'Source', 'Action', 'Outcome', 'Purpose', 'Case', 'Records', 'Terms', 'Detail'],
        r.entries.map((e) => [String(e.seq), new Date(e.at).toLocaleString(), e.username, e.source, e.action,
          h('span', { class: e.outcome === 'denied' ? 'bad' : '' }, e.outcome), e.purpose, e.case_number, String(e.records),
          e.terms && typeof e.terms === 'object' && Object.keys(e.terms).length ? JSON.stringify(e.terms) : '', e.detail]), 'log-table'));
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load().catch(fail); });
  const reports = h('section', { id: 'reports' });
  const reviews = h('section', { id: 'reviews' });
  if (can('access_reports')) {
    const rf = h('form', { id: 'report-form' }, h('h2', {}, 'Access report (plate-data entries)'),
      h('div', { class: 'row' },
        h('div', {}, field('From (local time)', h('input', { type: 'datetime-local', id: 'rep-from', value: localInput(-7) }))),
        h('div', {}, field('To (local time)', h('input', { type: 'datetime-local', id: 'rep-to' }))),
        h('div', {}, field('Username', h('input', { type: 'text', id: 'rep-user' }))),
        h('div', {}, field('Plate', h('input', { type: 'text', id: 'rep-plate' }))),
        h('div', {}, field('Purpose', h('input', { type: 'text', id: 'rep-purpose' }))),
        h('div', {}, field('Case number', h('input', { type: 'text', id: 'rep-case' })))),
      h('div', {}, h('button', { type: 'submit' }, 'Run report')));
    const repOut = h('div', { id: 'report-out', 'aria-live': 'polite' });
    rf.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      const set = (k, v) => { if (v) q.set(k, v); };
      set('from', toIso(rf.querySelector('#rep-from').value)); set('to', toIso(rf.querySelector('#rep-to').value));
      set('username', rf.querySelector('#rep-user').value.trim()); set('plate', rf.querySelector('#rep-plate').value.trim());
      set('purpose', rf.querySelector('#rep-purpose').value.trim()); set('case', rf.querySelector('#rep-case').value.trim());
      try {
        const r = await api('GET', '/api/v1/audit/report?' + q);
        const counts = (title, list, id) => [h('h3', {}, title), list.length
          ? table(['Key', 'Entries', 'Allowed', 'Denied', 'Records'], list.map((c) => [c.key || '(none)', String(c.entries), String(c.allowed), String(c.denied), String(c.records)]), id)
          : h('p', { class: 'muted' }, 'None.')];
        repOut.replaceChildren(h('p', { id: 'report-total' }, `${r.entries} plate-data entries.`),
          ...counts('By user', r.by_user, 'report-users'), ...counts('By plate', r.by_plate, 'report-plates'),
          ...counts('By purpose', r.by_purpose, 'report-purposes'), ...counts('By case', r.by_case, 'report-cases'));
      } catch (e) { fail(e); }
    });
    reports.append(rf, repOut);
    main.append(reports, reviews);
  }
  async function loadReviews() {
    if (!can('access_reports')) return;
    try {
      const r = await api('GET', '/api/v1/audit/reviews');
      reviews.replaceChildren(h('h2', {}, 'Log reviews'),
        h('p', { class: r.overdue ? 'bad' : 'ok', id: 'review-overdue' }, r.overdue ? 'The weekly review is overdue.' : 'The weekly review is up to date.'),
        r.reviews.length ? table(['Recorded', 'Reviewer', 'Period', 'Notes'], r.reviews.map((x) => [new Date(x.at).toLocaleString(), x.reviewer,
          `${new Date(x.from).toLocaleString()} – ${new Date(x.to).toLocaleString()}`, x.notes]), 'reviews-table') : h('p', { class: 'muted' }, 'No reviews recorded.'));
    } catch (e) { reviews.replaceChildren(h('p', { class: 'bad' }, e.message)); }
  }
  if (can('record_log_review')) {
    const rv = h('form', { id: 'review-form' }, h('h2', {}, 'Record the weekly log review'),
      h('div', { class: 'row' },
        h('div', {}, field('Reviewed from', h('input', { type: 'datetime-local', id: 'rv-from' }))),
        h('div', {}, field('Reviewed to', h('input', { type: 'datetime-local', id: 'rv-to' })))),
      field('Notes', h('textarea', { id: 'rv-notes' })),
      h('div', {}, h('button', { type: 'submit' }, 'Record review')));
    rv.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const r = await api('POST', '/api/v1/audit/reviews', { from: toIso(rv.querySelector('#rv-from').value), to: toIso(rv.querySelector('#rv-to').value),
          notes: rv.querySelector('#rv-notes').value });
        say(`Review ${r.id} recorded.`);
        await loadReviews();
      } catch (e) { fail(e); }
    });
    main.append(rv);
  }
  await Promise.all([loadVerify(), loadFlags(), load(), loadReviews()]);
}

// ---- Sharing grants ----
// A datetime-local value `days` from now.
function localInput(days) {
  const d = new Date(Date.now() + days * 86400000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
async function renderGrants(main) {
  const form = h('form', { id: 'grant-create' }, h('h2', {}, 'Grant sharing'),
    h('div', { class: 'row' },
      h('div', {}, field('Agency code (ORI)', h('input', { type: 'text', id: 'gr-agency' }))),
      h('div', {}, field('Cameras (comma separated, empty for all)', h('input', { type: 'text', id: 'gr-cameras' }))),
      h('div', {}, field('Expires (local time; at most 366 days)', h('input', { type: 'datetime-local', id: 'gr-expires', value: localInput(90) })))),
    h('fieldset', {}, h('legend', {}, 'Data classes'),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'gr-ps', value: 'public_safety' }), ' ', h('label', { for: 'gr-ps' }, 'Public safety')),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'gr-nps', value: 'non_public_safety' }), ' ', h('label', { for: 'gr-nps' }, 'Non-public-safety'))),
    h('div', {}, h('button', { type: 'submit' }, 'Grant')));
  const all = h('input', { type: 'checkbox', id: 'grants-all' });
  const listBox = h('section', { id: 'grants-list' });
  main.append(form, h('h2', {}, 'Grants'), h('div', { class: 'check' }, all, ' ', h('label', { for: 'grants-all' }, 'Include revoked and expired')), listBox);
  async function load() {
    const r = await api('GET', '/api/v1/grants' + (all.checked ? '?all=1' : ''));
    listBox.replaceChildren(table(['Id', 'Agency', 'Classes', 'Cameras', 'Expires', 'Created by', 'Status', ''], r.grants.map((g) => {
      const actions = h('div', {});
      if (!g.revoked_by && !g.attested_on) {
        // A grant takes force only once the partner's signed attestation is recorded.
        const att = h('form', { class: 'attest-form' },
          field('Signed by (for the partner)', h('input', { type: 'text', class: 'att-signatory' })),
          field('Date signed', h('input', { type: 'date', class: 'att-date', value: dateInput(0) })),
          h('button', { type: 'submit' }, `Record attestation for grant ${g.id}`));
        att.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            await api('POST', `/api/v1/grants/${g.id}/attest`, { signatory: att.querySelector('.att-signatory').value.trim(),
              signed_on: toIso(att.querySelector('.att-date').value + 'T00:00') });
            say(`Grant ${g.id} attested; in force.`); await load();
          } catch (e) { fail(e); }
        });
        actions.append(att);
      }
      if (!g.revoked_by) {
        const btn = h('button', { type: 'button', class: 'danger' }, `Revoke grant ${g.id}`);
        btn.addEventListener('click', async () => {
          try { await api('POST', `/api/v1/grants/${g.id}/revoke`); say(`Grant ${g.id} revoked.`); await load(); } catch (e) { fail(e); }
        });
        actions.append(btn);
      }
      const status = g.revoked_by ? `revoked by ${g.revoked_by}`
        : g.in_force ? `in force (attested by ${g.attested_signatory})`
          : !g.attested_on ? 'awaiting the partner\'s attestation' : 'not in force (expired, or the agency may not receive sharing)';
      return [String(g.id), g.agency_code, g.data_classes.join(', '), g.cameras.length ? g.cameras.join(', ') : 'all',
        new Date(g.expires_at).toLocaleString(), g.created_by, status, actions];
    }), 'grants-table'));
  }
  all.addEventListener('change', () => load().catch(fail));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const classes = ['#gr-ps', '#gr-nps'].map((s) => form.querySelector(s)).filter((c) => c.checked).map((c) => c.value);
    const expires = toIso(form.querySelector('#gr-expires').value);
    if (!expires) { fail('Give an expiry.'); return; }
    try {
      const r = await api('POST', '/api/v1/grants', { agency_code: form.querySelector('#gr-agency').value.trim(), data_classes: classes,
        cameras: form.querySelector('#gr-cameras').value.split(/[\s,]+/).filter(Boolean), expires });
      say(`Grant ${r.id} made; it takes force once the partner's attestation is recorded below.`); await load();
    } catch (e) { fail(e); }
  });
  await load();
}

// ---- Records requests ----
function dateInput(days) { return localInput(days).slice(0, 10); }
function when(iso) { return iso ? new Date(iso).toLocaleString() : ''; }
async function renderRequests(main) {
  const form = h('form', { id: 'rr-form' }, h('h2', {}, 'Electronic data and records request'),
    h('fieldset', {}, h('legend', {}, 'Requester'),
      h('div', { class: 'row' },
        h('div', {}, field('Requester (name)', h('input', { type: 'text', id: 'rr-requester', autocomplete: 'name', required: true }))),
        h('div', {}, field('Department', h('input', { type: 'text', id: 'rr-department', required: true })))),
      h('div', { class: 'row' },
        h('div', {}, field('Phone', h('input', { type: 'tel', id: 'rr-phone', autocomplete: 'tel', required: true }))),
        h('div', {}, field('E-mail', h('input', { type: 'email', id: 'rr-email', autocomplete: 'email', required: true })))),
      h('div', { class: 'row' },
        h('div', {}, field('Date requested', h('input', { type: 'date', id: 'rr-requested', value: dateInput(0), required: true }))),
        h('div', {}, field('Date required', h('input', { type: 'date', id: 'rr-required', value: dateInput(14), required: true }))),
        h('div', {}, h('label', { for: 'rr-class' }, 'Data'),
          select('rr-class', [['public_safety', 'Public safety'], ['non_public_safety', 'Non-public-safety (parking etc.)']], 'public_safety')))),
    field('Description of the records (include the search dates)', h('textarea', { id: 'rr-description', required: true })),
    field('Reason for the request', h('textarea', { id: 'rr-reason', required: true })),
    h('fieldset', {}, h('legend', {}, 'The search that fulfils it'),
      h('div', { class: 'row' },
        h('div', {}, field('Plate (empty: every plate)', h('input', { type: 'text', id: 'rr-plate', autocapitalize: 'characters' }))),
        h('div', {}, h('label', { for: 'rr-match' }, 'Match'),
          select('rr-match', [['exact', 'Exact'], ['wildcard', 'Wildcard (* and ?)'], ['fuzzy', 'Fuzzy']], 'exact')),
        h('div', {}, field('Cameras (comma separated, empty for all)', h('input', { type: 'text', id: 'rr-cameras' })))),
      h('div', { class: 'row' },
        h('div', {}, field('Search from (local time)', h('input', { type: 'datetime-local', id: 'rr-from', required: true }))),
        h('div', {}, field('Search to (local time)', h('input', { type: 'datetime-local', id: 'rr-to', required: true }))))),
    h('div', {}, h('button', { type: 'submit', id: 'rr-submit' }, 'Submit request')));
  const listBox = h('section', { id: 'rr-list' });
  const doneBox = h('div', { id: 'rr-export', 'aria-live': 'polite' });
  main.append(form, h('h2', {}, 'Requests'), doneBox, listBox);
  const v = (id) => form.querySelector(id).value.trim();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const from = toIso(v('#rr-from')); const to = toIso(v('#rr-to'));
    if (!from || !to) { fail('Give the search period (from and to).'); return; }
    const search = { from, to, plate: v('#rr-plate'), match: v('#rr-match'), cameras: v('#rr-cameras').split(/[\s,]+/).filter(Boolean) };
    try {
      const r = await api('POST', '/api/v1/requests', { requester: v('#rr-requester'), department: v('#rr-department'), phone: v('#rr-phone'),
        email: v('#rr-email'), date_requested: v('#rr-requested'), date_required: v('#rr-required'), data_class: v('#rr-class'),
        description: v('#rr-description'), reason: v('#rr-reason'), search });
      say(`Request ${r.number} submitted; it needs a director's and then the coordinator's approval.`);
      await load();
    } catch (e) { fail(e); }
  });
  const coordinator = state.me.role === 'coordinator';
  async function act(r, action, label) {
    let note = '';
    if (action !== 'fulfil') {
      note = window.prompt(`${label} ${r.number}: a note for the record`, action === 'deny' ? '' : 'approved');
      if (note === null) return;
    }
    try {
      const after = await api('POST', `/api/v1/requests/${r.id}/${action}`, { note });
      say(`${r.number}: ${after.state.replace(/_/g, ' ')}.`);
      if (after.export) {
        doneBox.replaceChildren(h('div', { class: 'once' },
          h('p', {}, `${after.export.reads} read(s) exported for ${r.number} into:`), h('output', { class: 'secret', id: 'rr-export-dir' }, after.export.export_dir),
          h('p', { class: 'muted' }, 'Manifest signed with the agency key ', h('code', {}, after.export.public_key))));
      }
      await load();
    } catch (e) { fail(e); }
  }
  async function load() {
    const r = await api('GET', '/api/v1/requests');
    if (!r.requests.length) { listBox.replaceChildren(h('p', { class: 'muted', id: 'rr-none' }, 'No requests.')); return; }
    listBox.replaceChildren(table(['Number', 'State', 'Requester', 'Department', 'Contact', 'Requested', 'Required', 'Description', 'Reason', 'Search', 'Decisions', ''],
      r.requests.map((q) => {
        const btns = [];
        const b = (text, action, cls) => {
          const el = h('button', { type: 'button', class: cls || 'secondary' }, `${text} ${q.number}`);
          el.addEventListener('click', () => act(q, action, text));
          btns.push(el);
        };
        if (can('approve_records_request') && q.state === 'submitted' && q.submitted_by !== state.me.username) b('Approve as director', 'director-approve');
        if (coordinator && q.state === 'director_approved' && q.director !== state.me.username && q.submitted_by !== state.me.username) b('Approve', 'approve');
        if (coordinator && ['submitted', 'director_approved', 'approved'].includes(q.state)) b('Deny', 'deny', 'danger');
        if (coordinator && q.state === 'approved') b('Fulfil', 'fulfil', '');
        const s = q.search;
        const search = `${s.plate || 'any plate'} (${s.match}) ${when(s.from)} – ${when(s.to)}${s.cameras.length ? ' cameras ' + s.cameras.join(', ') : ''}`;
        const decisions = [q.submitted_by && `submitted by ${q.submitted_by}`, q.director && `director ${q.director} ${when(q.director_at)}`,
          q.coordinator && `coordinator ${q.coordinator} ${when(q.coordinator_at)}`, q.decision_note && `note: ${q.decision_note}`,
          q.fulfilled_at && `fulfilled ${when(q.fulfilled_at)}`].filter(Boolean).join('; ');
        return [q.number, q.state.replace(/_/g, ' '), q.requester, q.department, `${q.phone}, ${q.email}`,
          new Date(q.date_requested).toLocaleDateString(), new Date(q.date_required).toLocaleDateString(), q.description, q.reason,
          search, decisions, h('div', { class: 'actions' }, ...btns)];
      }), 'rr-table'));
  }
  await load();
}

// ---- Accuracy audits ----
async function renderAudits(main, params) {
  const cams = await api('GET', '/api/v1/cameras').catch(() => ({ cameras: [] }));
  const camBoxes = cams.cameras.map((c, i) => h('div', { class: 'check' },
    h('input', { type: 'checkbox', id: `aa-cam-${i}`, value: c.id }), ' ', h('label', { for: `aa-cam-${i}` }, `${c.id} (${c.name})`)));
  const form = h('form', { id: 'aa-form' }, h('h2', {}, 'Start an audit'),
    h('fieldset', {}, h('legend', {}, 'Cameras (none ticked: every camera)'), ...camBoxes),
    h('div', { class: 'row' },
      h('div', {}, field('Reads captured from (local time)', h('input', { type: 'datetime-local', id: 'aa-from', value: localInput(-30) }))),
      h('div', {}, field('Reads captured to (local time)', h('input', { type: 'datetime-local', id: 'aa-to', value: localInput(0) }))),
      h('div', {}, field('Sample size', h('input', { type: 'number', id: 'aa-size', min: '1', max: '10000', value: '50' }))),
      h('div', {}, field('Reference (e.g. AA-2026-06)', h('input', { type: 'text', id: 'aa-ref' })))),
    h('div', {}, h('button', { type: 'submit', id: 'aa-start' }, 'Draw the sample')));
  const open = h('form', { id: 'aa-open' }, h('div', { class: 'row' },
    h('div', {}, field('Open audit number', h('input', { type: 'number', id: 'aa-id', min: '1', value: params.get('id') || '' }))),
    h('div', {}, h('button', { type: 'submit', class: 'secondary' }, 'Open'))));
  const box = h('section', { id: 'aa-audit', 'aria-live': 'polite' });
  main.append(form, open, box);
  let current = null;
  let images = new Map();  // read id -> Promise of its blob: URL, for the audit shown
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { from: toIso(form.querySelector('#aa-from').value), to: toIso(form.querySelector('#aa-to').value),
      sample_size: Number(form.querySelector('#aa-size').value || 50), reference: form.querySelector('#aa-ref').value.trim(),
      cameras: [...form.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value) };
    try {
      const r = await api('POST', '/api/v1/audits', body);
      say(`Audit ${r.id} started (${r.case_number}).`);
      open.querySelector('#aa-id').value = String(r.id);
      await show(r.id);
    } catch (e) { fail(e); }
  });
  open.addEventListener('submit', (ev) => { ev.preventDefault(); show(Number(open.querySelector('#aa-id').value)).catch(fail); });
  async function verdict(item, correct, truePlate) {
    try {
      const r = await api('POST', `/api/v1/audits/${current}/items/${item.read_id}`, correct ? { correct: true } : { correct: false, true_plate: truePlate });
      say(`Read ${item.read_id} marked ${correct ? 'correct' : 'wrong (' + truePlate + ')'}.`);
      draw(r);
    } catch (e) { fail(e); }
  }
  function accuracyRows(r) {
    const pct = (a) => (a.verified ? `${(a.accuracy * 100).toFixed(1)} %` : '–');
    return [...r.cameras, { ...r.overall, camera_id: 'All cameras' }].map((a) => [a.camera_id, String(a.sampled), String(a.verified), String(a.correct), pct(a)]);
  }
  function draw(r) {
    const items = r.items.map((it) => {
      const img = h('img', { class: 'crop', alt: `Plate crop of read ${it.read_id}` });
      // Each image is fetched (and logged) once per visit, not again after every verdict.
      if (!images.has(it.read_id)) {
        images.set(it.read_id, fetchImageUrl(it.read_id, 'crop', { purpose: 'accuracy_audit', case: r.case_number })
          .then((u) => { state.imageUrls.push(u); return u; }));
      }
      images.get(it.read_id).then((u) => { img.src = u; })
        .catch(() => { img.replaceWith(h('p', { class: 'muted' }, 'No image')); });
      const ok = h('button', { type: 'button' }, `Correct: read ${it.read_id}`);
      ok.addEventListener('click', () => verdict(it, true));
      const trueInput = h('input', { type: 'text', id: `aa-true-${it.read_id}`, autocapitalize: 'characters', value: it.true_plate || '' });
      const wrong = h('button', { type: 'button', class: 'danger' }, `Wrong: read ${it.read_id}`);
      wrong.addEventListener('click', () => {
        const t = trueInput.value.trim();
        if (!t) { fail('Type the plate actually on the vehicle first.'); trueInput.focus(); return; }
        verdict(it, false, t);
      });
      const status = it.correct === null ? 'not verified' : it.correct ? `correct (${it.verified_by})` : `wrong, was ${it.true_plate} (${it.verified_by})`;
      return h('div', { class: 'card' },
        h('div', { class: 'compare' }, img,
          h('div', {}, h('p', {}, 'Read as ', h('strong', {}, it.plate), ` by ${it.camera_id}`),
            h('p', { class: it.correct === null ? 'muted' : it.correct ? 'ok' : 'bad' }, status),
            h('div', { class: 'actions' }, ok), field('Plate actually on the vehicle', trueInput), h('div', { class: 'actions' }, wrong))));
    });
    box.replaceChildren(h('h2', {}, `Audit ${r.id} (${r.case_number})`),
      h('h3', {}, 'Accuracy per camera'), table(['Camera', 'Sampled', 'Verified', 'Correct', 'Accuracy'], accuracyRows(r), 'aa-accuracy'),
      h('h3', {}, `Sampled reads (${r.items.length})`), h('div', { class: 'cards', id: 'aa-items' }, ...items));
  }
  async function show(id) {
    if (!id) return;
    if (id !== current) images = new Map();
    current = id;
    draw(await api('GET', `/api/v1/audits/${id}`));
  }
  if (params.get('id')) await show(Number(params.get('id')));
}

// ---- Breach notices ----
async function renderBreach(main) {
  const t = (id, label, attrs = {}) => field(label, h('input', { type: 'text', id, ...attrs }));
  const form = h('form', { id: 'br-form' }, h('h2', {}, 'Record an incident'),
    t('br-title', 'Title (default: Notice of Data Breach)'),
    h('fieldset', {}, h('legend', {}, 'Who gives notice'),
      t('br-agency', 'Agency name'),
      h('div', { class: 'row' },
        h('div', {}, t('br-contact', 'Contact (person or unit)')),
        h('div', {}, field('Contact phone', h('input', { type: 'tel', id: 'br-phone' }))),
        h('div', {}, field('Contact e-mail', h('input', { type: 'email', id: 'br-email' })))),
      field('Contact postal address', h('textarea', { id: 'br-address' }))),
    field('What happened', h('textarea', { id: 'br-happened' })),
    field('What information was involved (one kind per line)', h('textarea', { id: 'br-info', value: 'License plate numbers\nDates, times and locations of vehicles' })),
    field('What we are doing (optional)', h('textarea', { id: 'br-doing' })),
    field('What you can do (optional)', h('textarea', { id: 'br-can-do' })),
    h('fieldset', {}, h('legend', {}, 'Date of the breach'),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'br-date-kind' }, 'Known'),
          select('br-date-kind', [['unknown', 'Unknown'], ['known', 'Known date'], ['estimated', 'Estimated date'], ['range', 'Within a range']], 'unknown')),
        h('div', {}, field('Date (or first day of the range)', h('input', { type: 'date', id: 'br-date1' }))),
        h('div', {}, field('Last day of the range', h('input', { type: 'date', id: 'br-date2' }))))),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'br-delayed' }), ' ',
      h('label', { for: 'br-delayed' }, 'Notification was delayed by a law enforcement investigation')),
    field('Notice date (empty: the day the notice is produced)', h('input', { type: 'date', id: 'br-notice-date' })),
    h('div', {}, h('button', { type: 'submit', id: 'br-submit' }, 'Record incident')));
  const nform = h('form', { id: 'br-notice-form' }, h('h2', {}, 'Produce the notice'),
    h('div', { class: 'row' },
      h('div', {}, field('Incident number', h('input', { type: 'number', id: 'br-id', min: '1' }))),
      h('div', {}, t('br-account', 'Account responsible (user name)')),
      h('div', {}, field('Its access from (local time)', h('input', { type: 'datetime-local', id: 'br-from', value: localInput(-30) }))),
      h('div', {}, field('to (local time)', h('input', { type: 'datetime-local', id: 'br-to', value: localInput(1 / 1440) })))),
    h('div', {}, h('button', { type: 'submit', id: 'br-produce' }, 'Produce notice')));
  const out = h('section', { id: 'br-notice', 'aria-live': 'polite' });
  main.append(form, nform, out);
  const v = (id) => form.querySelector(id).value.trim();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { agency_name: v('#br-agency'), contact_name: v('#br-contact'), contact_phone: v('#br-phone'), contact_email: v('#br-email'),
      contact_address: v('#br-address'), what_happened: v('#br-happened'), information_involved: v('#br-info').split('\n').map((x) => x.trim()).filter(Boolean),
      what_we_are_doing: v('#br-doing'), what_you_can_do: v('#br-can-do'), delayed_for_law_enforcement: form.querySelector('#br-delayed').checked };
    if (v('#br-title')) body.title = v('#br-title');
    const kind = v('#br-date-kind'); const d1 = v('#br-date1'); const d2 = v('#br-date2');
    if (kind !== 'unknown' && !d1) { fail('Give the date of the breach.'); return; }
    if (kind === 'known') body.breach_date = d1;
    if (kind === 'estimated') body.estimated_date = d1;
    if (kind === 'range') { if (!d2) { fail('Give the last day of the range.'); return; } body.date_range_from = d1; body.date_range_to = d2; }
    if (v('#br-notice-date')) body.notice_date = v('#br-notice-date');
    try {
      const r = await api('POST', '/api/v1/incidents', body);
      say(`Incident ${r.id} recorded.`);
      nform.querySelector('#br-id').value = String(r.id);
      nform.querySelector('#br-account').focus();
    } catch (e) { fail(e); }
  });
  nform.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = nform.querySelector('#br-id').value;
    const q = new URLSearchParams({ account: nform.querySelector('#br-account').value.trim(),
      from: toIso(nform.querySelector('#br-from').value), to: toIso(nform.querySelector('#br-to').value) });
    try {
      const text = await apiText(`/api/v1/incidents/${id}/notice?${q}&format=text`);
      q.set('format', 'html');
      out.replaceChildren(h('h2', {}, `Notice for incident ${id}`),
        h('p', {}, h('a', { href: `/api/v1/incidents/${id}/notice?${q}`, download: `breach-notice-${id}.html`, id: 'br-download' }, 'Download the notice as HTML (to print or send)')),
        h('pre', { class: 'notice', id: 'br-text', tabindex: '0' }, text));
      say('Notice produced (logged).');
    } catch (e) { fail(e); }
  });
}

// ---- Retention ----
async function renderRetention(main) {
  const box = h('section', { id: 'ret-periods' });
  const logBox = h('section', { id: 'ret-log' });
  const run = h('button', { type: 'button', id: 'ret-run', class: 'danger' }, 'Run the purge now');
  const result = h('div', { id: 'ret-result', 'aria-live': 'polite' });
  main.append(box, h('h2', {}, 'Purge'), h('p', {}, 'Deletes every read past its retention period, except reads under a legal hold. The purge also runs on schedule.'),
    h('div', {}, run), result, logBox);
  const dl = (pairs) => h('dl', { class: 'figures' }, ...pairs.flatMap(([k, x]) => [h('dt', {}, k), h('dd', {}, String(x))]));
  async function load() {
    const r = await api('GET', '/api/v1/retention');
    box.replaceChildren(h('h2', {}, 'Periods in force'), dl([['Public safety (days)', r.periods.public_safety_days],
      ['Non-public-safety (days)', r.periods.non_public_safety_days], ['Allowed range (days)', `${r.limits.minimum_days} to ${r.limits.maximum_days}`]]));
    logBox.replaceChildren(h('h2', {}, 'Purge log (newest first)'), r.purge_log.length
      ? table(['Run at', 'Run by', 'Class', 'Cut-off', 'Reads', 'Images', 'Plates', 'Oldest', 'Newest'], r.purge_log.map((e) => [when(e.run_at), e.run_by,
        e.data_class.replace(/_/g, ' '), when(e.cutoff), String(e.reads), String(e.images), String(e.plates), when(e.oldest), when(e.newest)]), 'ret-table')
      : h('p', { class: 'muted', id: 'ret-none' }, 'No purge has deleted anything yet.'));
  }
  run.addEventListener('click', async () => {
    if (!window.confirm('Run the retention purge now? Reads past retention are destroyed.')) return;
    try {
      const s = await api('POST', '/api/v1/retention/purge');
      result.replaceChildren(table(['Class', 'Cut-off', 'Reads', 'Images', 'Plates', 'Complete'], [['public safety', s.public_safety], ['non-public-safety', s.non_public_safety]]
        .map(([k, c]) => [k, when(c.cutoff), String(c.reads), String(c.images), String(c.plates), c.complete ? 'yes' : 'no (continues next run)']), 'ret-summary'));
      say('Purge finished.');
      await load();
    } catch (e) { fail(e); }
  });
  await load();
}

// ---- Transparency (public) ----
// The access log's signed head: its newest checkpoint, signed with the agency's key (no
// plate data). Copies kept by anyone prove a later rewrite of the log.
function logHeadSection(head) {
  const hex = (v) => h('code', { class: 'hex' }, v);
  const figures = head
    ? h('dl', { class: 'figures', id: 'tr-log-head-figures' },
        h('dt', {}, 'Entry (sequence number)'), h('dd', {}, String(head.seq)),
        h('dt', {}, 'Signed at'), h('dd', {}, `${when(head.at)} (${head.at})`),
        h('dt', {}, 'Hash (SHA-256)'), h('dd', {}, hex(head.hash)),
        h('dt', {}, 'Signature (Ed25519)'), h('dd', {}, hex(head.signature)),
        h('dt', {}, 'Public key'), h('dd', {}, hex(head.public_key)))
    : h('p', {}, 'No entry of the access log has been signed yet.');
  return h('section', { id: 'tr-log-head' }, h('h2', {}, 'Signed head of the access log'),
    h('p', {}, 'Every search and every access to plate data is written to a hash-chained access log. Its head is signed regularly with the agency\'s key and published here and to the system journal.'),
    figures,
    h('p', {}, 'To hold the agency to it, keep copies: save this page\'s data (GET /api/v1/transparency) from time to time. Anyone can then check the log against the copies with ',
      h('code', {}, 'custodian audit verify --against FILE'),
      ', which fails, naming the entry, if the log was rewritten or cut short after a head was published.'));
}

async function renderTransparency(main) {
  const t = await api('GET', '/api/v1/transparency');
  const dl = (pairs) => h('dl', { class: 'figures' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
  const purposesList = await purposes().catch(() => ({ allowed: {} }));
  const byPurpose = Object.entries(t.searches_last_365_days.by_purpose);
  main.append(
    h('p', {}, 'Aggregate figures about this agency\'s use of automated license plate readers, published under California Civil Code 1798.90.51. No plate data is shown here.'),
    h('section', { id: 'tr-cameras' }, h('h2', {}, 'Cameras'), dl([['Total', t.cameras.total], ['Public safety', t.cameras.public_safety], ['Non-public-safety (parking etc.)', t.cameras.non_public_safety]])),
    h('section', {}, h('h2', {}, 'Plate reads'), dl([['Stored now', t.reads.stored], ['Collected in the last 30 days', t.reads.last_30_days]])),
    h('section', {}, h('h2', {}, 'Hotlist hits'), dl([['Total', t.hotlist_hits.total], ['Confirmed by an officer', t.hotlist_hits.confirmed], ['Dismissed as misreads', t.hotlist_hits.dismissed_as_misread]])),
    h('section', {}, h('h2', {}, 'Searches in the last 365 days'),
      byPurpose.length ? table(['Purpose', 'Searches'], byPurpose.map(([p, n]) => [purposesList.allowed[p] || p, String(n)]), 'tr-purposes') : h('p', {}, 'No searches.'),
      dl([['Searches refused', t.searches_last_365_days.refused]])),
    h('section', {}, h('h2', {}, 'Sharing'), dl([['Grants in force', t.sharing.grants_in_force], ['Agencies shared with', t.sharing.agencies]])),
    h('section', {}, h('h2', {}, 'Retention'), dl([['Minimum (days)', t.retention.minimum_days], ['Maximum (days)', t.retention.maximum_days], ['Purge runs', t.purge_runs]])),
    logHeadSection(t.access_log_head));
  if (!state.me) main.append(h('p', {}, h('a', { href: '#/logon' }, 'Staff log on')));
}

// ---- Start ----
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already gone */ }
  state.me = null; setCsrf('');
  go('logon');
});
window.addEventListener('hashchange', () => { render().catch(fail); });
(async () => {
  const { name } = parseHash();
  if (!routes[name]?.public) await loadMe().catch(fail);
  else await loadMe().catch(() => {});
  await render();
})();
