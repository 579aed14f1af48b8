// Legal holds: placing, releasing, and exporting a hold's evidence.
import { api } from '../api.js';
import { h, cell, field, select, table, say, fail, guard, onSubmit, onClick } from '../ui.js';
import { can } from '../session.js';

export const name = 'holds';
export const title = 'Legal holds';
export const nav = 'Holds';
export const perm = 'place_holds';
export const plateData = true;

export async function render(main, params) {
  const form = h('form', { id: 'hold-form' }, h('h2', {}, 'Place a hold'),
    h('div', { class: 'row' },
      cell('Case number', h('input', { type: 'text', id: 'hold-case', value: params.get('case') || '' })),
      cell('Reason', h('input', { type: 'text', id: 'hold-reason' }))),
    h('fieldset', {}, h('legend', {}, 'Which reads'),
      field('Read ids (comma separated)', h('input', { type: 'text', id: 'hold-reads', value: params.get('reads') || '' })),
      h('p', { class: 'muted' }, 'or every read of a plate:'),
      h('div', { class: 'row' },
        cell('Plate', h('input', { type: 'text', id: 'hold-plate' })),
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
        onClick(rel, async () => {
          if (!window.confirm(`Release hold ${x.id}? Its reads become subject to retention again.`)) return;
          await api('POST', `/api/v1/holds/${x.id}/release`); say(`Hold ${x.id} released.`); await load();
        });
        act.append(rel);
      }
      if (can('export_evidence')) {
        const exp = h('button', { type: 'button', class: 'secondary' }, `Export evidence of hold ${x.id}`);
        onClick(exp, async () => {
          const r = await api('POST', `/api/v1/holds/${x.id}/export`);
          exported.replaceChildren(h('div', { class: 'once' },
            h('p', {}, `Hold ${x.id}: ${r.reads} read(s) and ${r.images} image(s) exported into:`), h('output', { class: 'secret', id: 'hold-export-dir' }, r.export_dir),
            h('p', {}, 'Recipients verify the signed manifest with the agency public key:'), h('output', { class: 'secret' }, r.public_key)));
          say(`Evidence of hold ${x.id} exported.`);
        });
        act.append(exp);
      }
      return [String(x.id), x.case_number, x.reason, x.placed_by, new Date(x.placed_at).toLocaleString(),
        String(x.reads), x.released_at ? `released by ${x.released_by}` : 'in force', act];
    }), 'holds-table'));
  }
  all.addEventListener('change', guard(load));
  onSubmit(form, async () => {
    const body = { case_number: form.querySelector('#hold-case').value.trim(), reason: form.querySelector('#hold-reason').value.trim() };
    const ids = form.querySelector('#hold-reads').value.split(/[\s,]+/).filter(Boolean).map(Number);
    if (ids.some((n) => !Number.isInteger(n) || n <= 0)) { fail('Read ids are whole numbers.'); return; }
    if (ids.length) body.read_ids = ids;
    const plate = form.querySelector('#hold-plate').value.trim();
    if (plate) { body.plate = plate; body.match = form.querySelector('#hold-match').value; }
    if (!ids.length && !plate) { fail('Give read ids or a plate.'); return; }
    const x = await api('POST', '/api/v1/holds', body); say(`Hold ${x.id} placed on ${x.reads} read(s).`); await load();
  });
  await load();
}
