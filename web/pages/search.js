// Plate-read search: purpose and case first, results with crops, holds, sightings by camera.
import { api, fetchImageUrl } from '../api.js';
import { h, cell, select, table, say, fail, clearMessages, onSubmit, onClick } from '../ui.js';
import { classesFor, purposes, keepImage } from '../session.js';
import { toIso } from '../time.js';

export const name = 'search';
export const title = 'Search plate reads';
export const nav = 'Search';
export const perm = 'search_reads';
export const plateData = true;

// The purpose and the case, asked before anything else and logged with the search.
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

export async function render(main, params) {
  const why = await purposeFields('search', { purpose: params.get('purpose'), case: params.get('case') });
  const classes = classesFor('search_reads');
  const form = h('form', { id: 'search-form' }, why.el,
    h('fieldset', {}, h('legend', {}, 'What'),
      h('div', { class: 'row' },
        cell('Plate', h('input', { type: 'text', id: 'search-plate', autocapitalize: 'characters', placeholder: 'e.g. 7ABC123 or 7AB*' })),
        h('div', {}, h('label', { for: 'search-match' }, 'Match'),
          select('search-match', [['exact', 'Exact'], ['wildcard', 'Wildcard (* and ?)'], ['fuzzy', 'Fuzzy (misread-tolerant)']], 'exact'))),
      h('div', { class: 'row' },
        cell('From (local time)', h('input', { type: 'datetime-local', id: 'search-from' })),
        cell('To (local time)', h('input', { type: 'datetime-local', id: 'search-to' }))),
      h('div', { class: 'row' },
        cell('Camera id (optional)', h('input', { type: 'text', id: 'search-camera' })),
        h('div', {}, h('label', { for: 'search-class' }, 'Data class'),
          select('search-class', [['', 'Any I may search'], ...classes.map((c) => [c, c.replace(/_/g, ' ')])], '')),
        cell('Limit', h('input', { type: 'number', id: 'search-limit', min: '1', max: '1000', value: '100' })))),
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
    const page = await api('GET', '/api/v1/reads?' + q);
    cursor = page.next_cursor || '';
    showResults(page.reads, w);
    say(`${page.reads.length} read(s) found.`);
  }
  function showResults(reads, w) {
    const holdBtn = h('button', { type: 'button', class: 'secondary', id: 'hold-selected' }, 'Place a hold on selected reads');
    const rows = reads.map((r) => {
      const img = h('img', { class: 'thumb', alt: `Plate crop of read ${r.id}` });
      const cell = r.has_crop ? img : h('span', { class: 'muted' }, 'no crop');
      if (r.has_crop) {
        fetchImageUrl(r.id, 'crop', w).then((u) => { keepImage(u); img.src = u; })
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
    onClick(next, () => run(true));
    results.replaceChildren(
      h('h2', {}, `Results (${reads.length})`),
      table(['Select', 'Plate crop', 'Plate', 'Captured', 'Camera', 'Class', 'Confidence', 'Read id'], rows, 'results-table'),
      h('div', { class: 'actions' }, holdBtn, next),
      h('h2', {}, 'Sightings by camera'), sightings(reads));
  }
  onSubmit(form, () => run(false));
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
