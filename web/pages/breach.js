// Breach incidents and their notices (Civil Code 1798.29 / 1798.82).
import { api, apiText } from '../api.js';
import { h, cell, field, select, say, fail, onSubmit } from '../ui.js';
import { toIso, localInput } from '../time.js';

export const name = 'breach';
export const title = 'Breach notices';
export const nav = 'Breach notices';
export const perm = 'breach_notices';

export async function render(main) {
  const t = (id, label, attrs = {}) => field(label, h('input', { type: 'text', id, ...attrs }));
  const form = h('form', { id: 'br-form' }, h('h2', {}, 'Record an incident'),
    t('br-title', 'Title (default: Notice of Data Breach)'),
    h('fieldset', {}, h('legend', {}, 'Who gives notice'),
      t('br-agency', 'Agency name'),
      h('div', { class: 'row' },
        h('div', {}, t('br-contact', 'Contact (person or unit)')),
        cell('Contact phone', h('input', { type: 'tel', id: 'br-phone' })),
        cell('Contact e-mail', h('input', { type: 'email', id: 'br-email' }))),
      field('Contact postal address', h('textarea', { id: 'br-address' }))),
    field('What happened', h('textarea', { id: 'br-happened' })),
    field('What information was involved (one kind per line)', h('textarea', { id: 'br-info', value: 'License plate numbers\nDates, times and locations of vehicles' })),
    field('What we are doing (optional)', h('textarea', { id: 'br-doing' })),
    field('What you can do (optional)', h('textarea', { id: 'br-can-do' })),
    h('fieldset', {}, h('legend', {}, 'Date of the breach'),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'br-date-kind' }, 'Known'),
          select('br-date-kind', [['unknown', 'Unknown'], ['known', 'Known date'], ['estimated', 'Estimated date'], ['range', 'Within a range']], 'unknown')),
        cell('Date (or first day of the range)', h('input', { type: 'date', id: 'br-date1' })),
        cell('Last day of the range', h('input', { type: 'date', id: 'br-date2' })))),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'br-delayed' }), ' ',
      h('label', { for: 'br-delayed' }, 'Notification was delayed by a law enforcement investigation')),
    field('Notice date (empty: the day the notice is produced)', h('input', { type: 'date', id: 'br-notice-date' })),
    h('div', {}, h('button', { type: 'submit', id: 'br-submit' }, 'Record incident')));
  const nform = h('form', { id: 'br-notice-form' }, h('h2', {}, 'Produce the notice'),
    h('div', { class: 'row' },
      cell('Incident number', h('input', { type: 'number', id: 'br-id', min: '1' })),
      h('div', {}, t('br-account', 'Account responsible (user name)')),
      cell('Its access from (local time)', h('input', { type: 'datetime-local', id: 'br-from', value: localInput(-30) })),
      cell('to (local time)', h('input', { type: 'datetime-local', id: 'br-to', value: localInput(1 / 1440) }))),
    h('div', {}, h('button', { type: 'submit', id: 'br-produce' }, 'Produce notice')));
  const out = h('section', { id: 'br-notice', 'aria-live': 'polite' });
  main.append(form, nform, out);
  const v = (id) => form.querySelector(id).value.trim();
  onSubmit(form, async () => {
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
    const r = await api('POST', '/api/v1/incidents', body);
    say(`Incident ${r.id} recorded.`);
    nform.querySelector('#br-id').value = String(r.id);
    nform.querySelector('#br-account').focus();
  });
  onSubmit(nform, async () => {
    const id = nform.querySelector('#br-id').value;
    const q = new URLSearchParams({ account: nform.querySelector('#br-account').value.trim(),
      from: toIso(nform.querySelector('#br-from').value), to: toIso(nform.querySelector('#br-to').value) });
    const text = await apiText(`/api/v1/incidents/${id}/notice?${q}&format=text`);
    q.set('format', 'html');
    out.replaceChildren(h('h2', {}, `Notice for incident ${id}`),
      h('p', {}, h('a', { href: `/api/v1/incidents/${id}/notice?${q}`, download: `breach-notice-${id}.html`, id: 'br-download' }, 'Download the notice as HTML (to print or send)')),
      h('pre', { class: 'notice', id: 'br-text', tabindex: '0' }, text));
    say('Notice produced (logged).');
  });
}
