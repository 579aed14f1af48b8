// The access log: chain verification, misuse flags, entries, access reports, weekly reviews.
import { api } from '../api.js';
import { h, cell, field, select, table, say, onSubmit } from '../ui.js';
import { can } from '../session.js';
import { toIso, localInput } from '../time.js';

export const name = 'audit';
export const title = 'Access log';
export const nav = 'Access log';
export const perm = 'view_access_log';

// A query string of the filters given (empty ones left out).
function query(pairs) {
  const q = new URLSearchParams();
  for (const [k, v] of pairs) if (v) q.set(k, v);
  return q;
}

export async function render(main) {
  const verify = h('section', { id: 'verify', 'aria-live': 'polite' }, h('p', {}, 'Verifying the log chain…'));
  const form = h('form', { id: 'audit-filter' }, h('h2', {}, 'Filter'),
    h('div', { class: 'row' },
      cell('From (local time)', h('input', { type: 'datetime-local', id: 'log-from' })),
      cell('To (local time)', h('input', { type: 'datetime-local', id: 'log-to' })),
      cell('Username', h('input', { type: 'text', id: 'log-user' })),
      cell('Action', h('input', { type: 'text', id: 'log-action', placeholder: 'e.g. search_reads' }))),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'log-outcome' }, 'Outcome'), select('log-outcome', [['', 'Any'], ['allowed', 'Allowed'], ['denied', 'Denied']], '')),
      cell('Case number', h('input', { type: 'text', id: 'log-case' })),
      cell('Search term (plate)', h('input', { type: 'text', id: 'log-term' })),
      cell('Limit', h('input', { type: 'number', id: 'log-limit', value: '200', min: '1', max: '5000' }))),
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
    const q = query([['from', toIso(form.querySelector('#log-from').value)], ['to', toIso(form.querySelector('#log-to').value)],
      ['username', form.querySelector('#log-user').value.trim()], ['action', form.querySelector('#log-action').value.trim()],
      ['outcome', form.querySelector('#log-outcome').value], ['case', form.querySelector('#log-case').value.trim()],
      ['term', form.querySelector('#log-term').value.trim()], ['limit', form.querySelector('#log-limit').value]]);
    const r = await api('GET', '/api/v1/audit/log?' + q);
    listBox.replaceChildren(h('h2', {}, `Entries (${r.entries.length})`),
      table(['Seq', 'At', 'User', 'Source', 'Action', 'Outcome', 'Purpose', 'Case', 'Records', 'Terms', 'Detail'],
        r.entries.map((e) => [String(e.seq), new Date(e.at).toLocaleString(), e.username, e.source, e.action,
          h('span', { class: e.outcome === 'denied' ? 'bad' : '' }, e.outcome), e.purpose, e.case_number, String(e.records),
          e.terms && typeof e.terms === 'object' && Object.keys(e.terms).length ? JSON.stringify(e.terms) : '', e.detail]), 'log-table'));
  }
  onSubmit(form, load);
  const reports = h('section', { id: 'reports' });
  const reviews = h('section', { id: 'reviews' });
  if (can('access_reports')) {
    const rf = h('form', { id: 'report-form' }, h('h2', {}, 'Access report (plate-data entries)'),
      h('div', { class: 'row' },
        cell('From (local time)', h('input', { type: 'datetime-local', id: 'rep-from', value: localInput(-7) })),
        cell('To (local time)', h('input', { type: 'datetime-local', id: 'rep-to' })),
        cell('Username', h('input', { type: 'text', id: 'rep-user' })),
        cell('Plate', h('input', { type: 'text', id: 'rep-plate' })),
        cell('Purpose', h('input', { type: 'text', id: 'rep-purpose' })),
        cell('Case number', h('input', { type: 'text', id: 'rep-case' }))),
      h('div', {}, h('button', { type: 'submit' }, 'Run report')));
    const repOut = h('div', { id: 'report-out', 'aria-live': 'polite' });
    onSubmit(rf, async () => {
      const q = query([['from', toIso(rf.querySelector('#rep-from').value)], ['to', toIso(rf.querySelector('#rep-to').value)],
        ['username', rf.querySelector('#rep-user').value.trim()], ['plate', rf.querySelector('#rep-plate').value.trim()],
        ['purpose', rf.querySelector('#rep-purpose').value.trim()], ['case', rf.querySelector('#rep-case').value.trim()]]);
      const r = await api('GET', '/api/v1/audit/report?' + q);
      const counts = (title, list, id) => [h('h3', {}, title), list.length
        ? table(['Key', 'Entries', 'Allowed', 'Denied', 'Records'], list.map((c) => [c.key || '(none)', String(c.entries), String(c.allowed), String(c.denied), String(c.records)]), id)
        : h('p', { class: 'muted' }, 'None.')];
      repOut.replaceChildren(h('p', { id: 'report-total' }, `${r.entries} plate-data entries.`),
        ...counts('By user', r.by_user, 'report-users'), ...counts('By plate', r.by_plate, 'report-plates'),
        ...counts('By purpose', r.by_purpose, 'report-purposes'), ...counts('By case', r.by_case, 'report-cases'));
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
        cell('Reviewed from', h('input', { type: 'datetime-local', id: 'rv-from' })),
        cell('Reviewed to', h('input', { type: 'datetime-local', id: 'rv-to' }))),
      field('Notes', h('textarea', { id: 'rv-notes' })),
      h('div', {}, h('button', { type: 'submit' }, 'Record review')));
    onSubmit(rv, async () => {
      const r = await api('POST', '/api/v1/audit/reviews', { from: toIso(rv.querySelector('#rv-from').value), to: toIso(rv.querySelector('#rv-to').value),
        notes: rv.querySelector('#rv-notes').value });
      say(`Review ${r.id} recorded.`);
      await loadReviews();
    });
    main.append(rv);
  }
  await Promise.all([loadVerify(), loadFlags(), load(), loadReviews()]);
}
