// Hotlists: the lists, and (manage_hotlists) creating one and importing entries.
import { api } from '../api.js';
import { h, cell, field, select, table, say, fail, onSubmit } from '../ui.js';
import { can } from '../session.js';

export const name = 'hotlists';
export const title = 'Hotlists';
export const nav = 'Hotlists';
export const perm = 'view_hotlists';

export async function render(main) {
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
      cell('Name', h('input', { type: 'text', id: 'hl-name' })),
      h('div', {}, h('label', { for: 'hl-category' }, 'Category'), select('hl-category',
        ['stolen_vehicle', 'stolen_plate', 'amber_missing_person', 'wanted', 'bolo', 'parking_scofflaw_permit'].map((c) => [c, c.replace(/_/g, ' ')]), 'stolen_vehicle')),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'hl-fuzzy' }), ' ', h('label', { for: 'hl-fuzzy' }, 'Fuzzy matching'))),
    h('div', {}, h('button', { type: 'submit' }, 'Create')));
  onSubmit(create, async () => {
    await api('POST', '/api/v1/hotlists', { name: create.querySelector('#hl-name').value.trim(),
      category: create.querySelector('#hl-category').value, fuzzy: create.querySelector('#hl-fuzzy').checked });
    say('Hotlist created.'); await load();
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
  onSubmit(imp, async () => {
    const list = imp.querySelector('#import-list').value;
    if (!list) { fail('Create or choose a list first.'); return; }
    const r = await api('POST', `/api/v1/hotlists/${encodeURIComponent(list)}/entries?format=${imp.querySelector('#import-format').value}`,
      text.value, { contentType: 'text/csv' });
    result.replaceChildren(h('p', {}, `Added ${r.added}, updated ${r.updated}, retroactive alerts ${r.retro_alerts}.`),
      ...(r.errors.length ? [h('ul', { class: 'bad' }, ...r.errors.map((e) => h('li', {}, `line ${e.line}: ${e.message}`)))] : []));
    say('Import finished.'); await load();
  });
  main.append(create, imp);
  await load();
}
