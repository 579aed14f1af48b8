// Cameras and their API keys.
import { api } from '../api.js';
import { h, cell, select, table, once, say, onSubmit, onClick } from '../ui.js';

export const name = 'cameras';
export const title = 'Cameras and API keys';
export const nav = 'Cameras';
export const perm = 'manage_cameras';

export async function render(main) {
  const cam = h('form', { id: 'camera-create' }, h('h2', {}, 'Register a camera'),
    h('div', { class: 'row' },
      cell('Camera id', h('input', { type: 'text', id: 'cam-id' })),
      cell('Name', h('input', { type: 'text', id: 'cam-name' })),
      h('div', {}, h('label', { for: 'cam-kind' }, 'Kind'), select('cam-kind', [['fixed', 'Fixed'], ['mobile', 'Mobile'], ['parking', 'Parking']], 'fixed')),
      h('div', {}, h('label', { for: 'cam-class' }, 'Data class'), select('cam-class', [['public_safety', 'Public safety'], ['non_public_safety', 'Non-public-safety (parking etc.)']], 'public_safety'))),
    h('div', { class: 'row' },
      cell('Latitude (optional)', h('input', { type: 'text', id: 'cam-lat', inputmode: 'decimal' })),
      cell('Longitude (optional)', h('input', { type: 'text', id: 'cam-lon', inputmode: 'decimal' }))),
    h('div', {}, h('button', { type: 'submit' }, 'Save camera')));
  onSubmit(cam, async () => {
    const body = { id: cam.querySelector('#cam-id').value.trim(), name: cam.querySelector('#cam-name').value.trim(),
      kind: cam.querySelector('#cam-kind').value, data_class: cam.querySelector('#cam-class').value };
    const lat = cam.querySelector('#cam-lat').value.trim(); const lon = cam.querySelector('#cam-lon').value.trim();
    if (lat && lon) { body.lat = Number(lat); body.lon = Number(lon); }
    await api('POST', '/api/v1/cameras', body);
    say(`Camera ${body.id} saved.`);
    key.querySelector('#key-camera').value = body.id;
  });
  const shown = h('div', { id: 'key-once', 'aria-live': 'polite' });
  const key = h('form', { id: 'key-create' }, h('h2', {}, 'Issue an API key'),
    h('div', { class: 'row' },
      cell('Camera id', h('input', { type: 'text', id: 'key-camera' })),
      cell('Key name', h('input', { type: 'text', id: 'key-name', value: 'camera' }))),
    h('div', {}, h('button', { type: 'submit' }, 'Issue key')), shown);
  onSubmit(key, async () => {
    const k = await api('POST', `/api/v1/cameras/${encodeURIComponent(key.querySelector('#key-camera').value.trim())}/keys`,
      { name: key.querySelector('#key-name').value.trim() || 'camera' });
    shown.replaceChildren(once(`API key ${k.id} for camera ${k.camera_id} (shown once; store it in the camera):`, k.key, 'new-api-key'));
    await load();
  });
  const listBox = h('section', { id: 'keys-list' });
  main.append(cam, key, h('h2', {}, 'API keys'), listBox);
  async function load() {
    const r = await api('GET', '/api/v1/keys');
    listBox.replaceChildren(table(['Id', 'Name', 'Camera', 'Scope', 'Created by', 'Created', 'Status', ''], r.keys.map((k) => {
      let btn = '';
      if (!k.revoked) {
        btn = h('button', { type: 'button', class: 'danger' }, `Revoke key ${k.id}`);
        onClick(btn, async () => {
          if (!window.confirm(`Revoke key ${k.id}? The camera stops ingesting until it has a new key.`)) return;
          await api('DELETE', `/api/v1/keys/${k.id}`); say(`Key ${k.id} revoked.`); await load();
        });
      }
      return [String(k.id), k.name, k.camera_id, k.scope, k.created_by, new Date(k.created_at).toLocaleString(), k.revoked ? 'revoked' : 'active', btn];
    }), 'keys-table'));
  }
  await load();
}
