// The hotlist alert queue, updated live (EventSource); review: acknowledge, confirm, dismiss.
import { api, fetchImageUrl } from '../api.js';
import { h, field, select, say, fail, guard, onSubmit, onClick } from '../ui.js';
import { classesFor, onLeave, keepImage } from '../session.js';

export const name = 'alerts';
export const title = 'Alert queue';
export const nav = 'Alerts';
export const perm = 'view_alerts';
export const plateData = true;

export async function render(main) {
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
    const show = (u) => { keepImage(u); images.set(a.id, u); img.src = u; img.hidden = false; };
    const imgBox = h('div', {}, h('h3', {}, 'Read'), img,
      h('p', {}, `Plate read: `, h('strong', {}, a.read_plate), ` ${a.read_region || ''}`),
      h('p', {}, `Camera ${a.camera_id}, ${new Date(a.captured_at).toLocaleString()}`));
    const loadImg = h('button', { type: 'button', class: 'secondary' }, 'Show read image');
    onClick(loadImg, async () => {
      const why = { purpose: 'hotlist_alert', case: caseIn.value.trim() || `ALERT-${a.id}` };
      try { show(await fetchImageUrl(a.read_id, 'crop', why)); }
      catch { show(await fetchImageUrl(a.read_id, 'frame', why)); }  // no crop: the whole frame
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
      onClick(ack, async () => {
        const n = await api('POST', `/api/v1/alerts/${a.id}/acknowledge`); say(`Alert ${a.id} acknowledged.`); replace(n);
      });
      onSubmit(confirmForm, async () => {
        const checked = confirmForm.querySelector('.image-checked').checked;
        if (!checked) { fail('Compare the plate image with the hotlist record first.'); return; }
        const n = await api('POST', `/api/v1/alerts/${a.id}/confirm`, { image_checked: true, action: confirmForm.querySelector('.action').value.trim() });
        say(`Alert ${a.id} confirmed.`); replace(n);
      });
      onSubmit(dismissForm, async () => {
        const n = await api('POST', `/api/v1/alerts/${a.id}/dismiss`, { note: dismissForm.querySelector('input').value.trim() || 'misread' });
        say(`Alert ${a.id} dismissed as a misread.`); replace(n);
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
  filter.addEventListener('change', guard(load));
  await load();
  const es = new EventSource('/api/v1/alerts/stream');
  onLeave(() => es.close());
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
