// Records requests: submitted, approved by a director and the coordinator, fulfilled.
import { api } from '../api.js';
import { h, cell, field, select, table, say, fail, onSubmit, onClick } from '../ui.js';
import { session, can } from '../session.js';
import { toIso, dateInput, when } from '../time.js';

export const name = 'requests';
export const title = 'Records requests';
export const nav = 'Records requests';
export const perm = 'submit_records_request';

export async function render(main) {
  const form = h('form', { id: 'rr-form' }, h('h2', {}, 'Electronic data and records request'),
    h('fieldset', {}, h('legend', {}, 'Requester'),
      h('div', { class: 'row' },
        cell('Requester (name)', h('input', { type: 'text', id: 'rr-requester', autocomplete: 'name', required: true })),
        cell('Department', h('input', { type: 'text', id: 'rr-department', required: true }))),
      h('div', { class: 'row' },
        cell('Phone', h('input', { type: 'tel', id: 'rr-phone', autocomplete: 'tel', required: true })),
        cell('E-mail', h('input', { type: 'email', id: 'rr-email', autocomplete: 'email', required: true }))),
      h('div', { class: 'row' },
        cell('Date requested', h('input', { type: 'date', id: 'rr-requested', value: dateInput(0), required: true })),
        cell('Date required', h('input', { type: 'date', id: 'rr-required', value: dateInput(14), required: true })),
        h('div', {}, h('label', { for: 'rr-class' }, 'Data'),
          select('rr-class', [['public_safety', 'Public safety'], ['non_public_safety', 'Non-public-safety (parking etc.)']], 'public_safety')))),
    field('Description of the records (include the search dates)', h('textarea', { id: 'rr-description', required: true })),
    field('Reason for the request', h('textarea', { id: 'rr-reason', required: true })),
    h('fieldset', {}, h('legend', {}, 'The search that fulfils it'),
      h('div', { class: 'row' },
        cell('Plate (empty: every plate)', h('input', { type: 'text', id: 'rr-plate', autocapitalize: 'characters' })),
        h('div', {}, h('label', { for: 'rr-match' }, 'Match'),
          select('rr-match', [['exact', 'Exact'], ['wildcard', 'Wildcard (* and ?)'], ['fuzzy', 'Fuzzy']], 'exact')),
        cell('Cameras (comma separated, empty for all)', h('input', { type: 'text', id: 'rr-cameras' }))),
      h('div', { class: 'row' },
        cell('Search from (local time)', h('input', { type: 'datetime-local', id: 'rr-from', required: true })),
        cell('Search to (local time)', h('input', { type: 'datetime-local', id: 'rr-to', required: true })))),
    h('div', {}, h('button', { type: 'submit', id: 'rr-submit' }, 'Submit request')));
  const listBox = h('section', { id: 'rr-list' });
  const doneBox = h('div', { id: 'rr-export', 'aria-live': 'polite' });
  main.append(form, h('h2', {}, 'Requests'), doneBox, listBox);
  const v = (id) => form.querySelector(id).value.trim();
  onSubmit(form, async () => {
    const from = toIso(v('#rr-from')); const to = toIso(v('#rr-to'));
    if (!from || !to) { fail('Give the search period (from and to).'); return; }
    const search = { from, to, plate: v('#rr-plate'), match: v('#rr-match'), cameras: v('#rr-cameras').split(/[\s,]+/).filter(Boolean) };
    const r = await api('POST', '/api/v1/requests', { requester: v('#rr-requester'), department: v('#rr-department'), phone: v('#rr-phone'),
      email: v('#rr-email'), date_requested: v('#rr-requested'), date_required: v('#rr-required'), data_class: v('#rr-class'),
      description: v('#rr-description'), reason: v('#rr-reason'), search });
    say(`Request ${r.number} submitted; it needs a director's and then the coordinator's approval.`);
    await load();
  });
  const coordinator = session.me.role === 'coordinator';
  async function act(r, action, label) {
    let note = '';
    if (action !== 'fulfil') {
      note = window.prompt(`${label} ${r.number}: a note for the record`, action === 'deny' ? '' : 'approved');
      if (note === null) return;
    }
    const after = await api('POST', `/api/v1/requests/${r.id}/${action}`, { note });
    say(`${r.number}: ${after.state.replace(/_/g, ' ')}.`);
    if (after.export) {
      doneBox.replaceChildren(h('div', { class: 'once' },
        h('p', {}, `${after.export.reads} read(s) exported for ${r.number} into:`), h('output', { class: 'secret', id: 'rr-export-dir' }, after.export.export_dir),
        h('p', { class: 'muted' }, 'Manifest signed with the agency key ', h('code', {}, after.export.public_key))));
    }
    await load();
  }
  async function load() {
    const r = await api('GET', '/api/v1/requests');
    if (!r.requests.length) { listBox.replaceChildren(h('p', { class: 'muted', id: 'rr-none' }, 'No requests.')); return; }
    listBox.replaceChildren(table(['Number', 'State', 'Requester', 'Department', 'Contact', 'Requested', 'Required', 'Description', 'Reason', 'Search', 'Decisions', ''],
      r.requests.map((q) => {
        const btns = [];
        const b = (text, action, cls) => {
          const el = h('button', { type: 'button', class: cls || 'secondary' }, `${text} ${q.number}`);
          onClick(el, () => act(q, action, text));
          btns.push(el);
        };
        if (can('approve_records_request') && q.state === 'submitted' && q.submitted_by !== session.me.username) b('Approve as director', 'director-approve');
        if (coordinator && q.state === 'director_approved' && q.director !== session.me.username && q.submitted_by !== session.me.username) b('Approve', 'approve');
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
