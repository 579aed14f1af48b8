// Sharing grants to other agencies, in force once the partner's attestation is recorded.
import { api } from '../api.js';
import { h, cell, field, table, say, fail, guard, onSubmit, onClick } from '../ui.js';
import { toIso, localInput, dateInput } from '../time.js';

export const name = 'grants';
export const title = 'Sharing grants';
export const nav = 'Sharing';
export const perm = 'manage_grants';

export async function render(main) {
  const form = h('form', { id: 'grant-create' }, h('h2', {}, 'Grant sharing'),
    h('div', { class: 'row' },
      cell('Agency code (ORI)', h('input', { type: 'text', id: 'gr-agency' })),
      cell('Cameras (comma separated, empty for all)', h('input', { type: 'text', id: 'gr-cameras' })),
      cell('Expires (local time; at most 366 days)', h('input', { type: 'datetime-local', id: 'gr-expires', value: localInput(90) }))),
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
        onSubmit(att, async () => {
          await api('POST', `/api/v1/grants/${g.id}/attest`, { signatory: att.querySelector('.att-signatory').value.trim(),
            signed_on: toIso(att.querySelector('.att-date').value + 'T00:00') });
          say(`Grant ${g.id} attested; in force.`); await load();
        });
        actions.append(att);
      }
      if (!g.revoked_by) {
        const btn = h('button', { type: 'button', class: 'danger' }, `Revoke grant ${g.id}`);
        onClick(btn, async () => {
          await api('POST', `/api/v1/grants/${g.id}/revoke`); say(`Grant ${g.id} revoked.`); await load();
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
  all.addEventListener('change', guard(load));
  onSubmit(form, async () => {
    const classes = ['#gr-ps', '#gr-nps'].map((s) => form.querySelector(s)).filter((c) => c.checked).map((c) => c.value);
    const expires = toIso(form.querySelector('#gr-expires').value);
    if (!expires) { fail('Give an expiry.'); return; }
    const r = await api('POST', '/api/v1/grants', { agency_code: form.querySelector('#gr-agency').value.trim(), data_classes: classes,
      cameras: form.querySelector('#gr-cameras').value.split(/[\s,]+/).filter(Boolean), expires });
    say(`Grant ${r.id} made; it takes force once the partner's attestation is recorded below.`); await load();
  });
  await load();
}
