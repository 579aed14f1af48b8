// Accuracy audits: a sample of reads drawn and each verified beside its image.
import { api, fetchImageUrl } from '../api.js';
import { h, cell, field, table, say, fail, onSubmit, onClick } from '../ui.js';
import { keepImage } from '../session.js';
import { toIso, localInput } from '../time.js';

export const name = 'audits';
export const title = 'Accuracy audits';
export const nav = 'Accuracy audits';
export const perm = 'accuracy_audit';

export async function render(main, params) {
  const cams = await api('GET', '/api/v1/cameras').catch(() => ({ cameras: [] }));
  const camBoxes = cams.cameras.map((c, i) => h('div', { class: 'check' },
    h('input', { type: 'checkbox', id: `aa-cam-${i}`, value: c.id }), ' ', h('label', { for: `aa-cam-${i}` }, `${c.id} (${c.name})`)));
  const form = h('form', { id: 'aa-form' }, h('h2', {}, 'Start an audit'),
    h('fieldset', {}, h('legend', {}, 'Cameras (none ticked: every camera)'), ...camBoxes),
    h('div', { class: 'row' },
      cell('Reads captured from (local time)', h('input', { type: 'datetime-local', id: 'aa-from', value: localInput(-30) })),
      cell('Reads captured to (local time)', h('input', { type: 'datetime-local', id: 'aa-to', value: localInput(0) })),
      cell('Sample size', h('input', { type: 'number', id: 'aa-size', min: '1', max: '10000', value: '50' })),
      cell('Reference (e.g. AA-2026-06)', h('input', { type: 'text', id: 'aa-ref' }))),
    h('div', {}, h('button', { type: 'submit', id: 'aa-start' }, 'Draw the sample')));
  const open = h('form', { id: 'aa-open' }, h('div', { class: 'row' },
    cell('Open audit number', h('input', { type: 'number', id: 'aa-id', min: '1', value: params.get('id') || '' })),
    h('div', {}, h('button', { type: 'submit', class: 'secondary' }, 'Open'))));
  const box = h('section', { id: 'aa-audit', 'aria-live': 'polite' });
  main.append(form, open, box);
  let current = null;
  let images = new Map();  // read id -> Promise of its blob: URL, for the audit shown
  onSubmit(form, async () => {
    const body = { from: toIso(form.querySelector('#aa-from').value), to: toIso(form.querySelector('#aa-to').value),
      sample_size: Number(form.querySelector('#aa-size').value || 50), reference: form.querySelector('#aa-ref').value.trim(),
      cameras: [...form.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value) };
    const r = await api('POST', '/api/v1/audits', body);
    say(`Audit ${r.id} started (${r.case_number}).`);
    open.querySelector('#aa-id').value = String(r.id);
    await show(r.id);
  });
  onSubmit(open, () => show(Number(open.querySelector('#aa-id').value)));
  async function verdict(item, correct, truePlate) {
    const r = await api('POST', `/api/v1/audits/${current}/items/${item.read_id}`, correct ? { correct: true } : { correct: false, true_plate: truePlate });
    say(`Read ${item.read_id} marked ${correct ? 'correct' : 'wrong (' + truePlate + ')'}.`);
    draw(r);
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
          .then((u) => { keepImage(u); return u; }));
      }
      images.get(it.read_id).then((u) => { img.src = u; })
        .catch(() => { img.replaceWith(h('p', { class: 'muted' }, 'No image')); });
      const ok = h('button', { type: 'button' }, `Correct: read ${it.read_id}`);
      onClick(ok, () => verdict(it, true));
      const trueInput = h('input', { type: 'text', id: `aa-true-${it.read_id}`, autocapitalize: 'characters', value: it.true_plate || '' });
      const wrong = h('button', { type: 'button', class: 'danger' }, `Wrong: read ${it.read_id}`);
      onClick(wrong, async () => {
        const t = trueInput.value.trim();
        if (!t) { fail('Type the plate actually on the vehicle first.'); trueInput.focus(); return; }
        await verdict(it, false, t);
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
