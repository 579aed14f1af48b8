// The ALPR policy acknowledgment, and the gates still missing before plate data opens.
import { api } from '../api.js';
import { h, field, say, onSubmit } from '../ui.js';
import { session } from '../session.js';

export const name = 'acknowledgment';
export const title = 'Policy acknowledgment';
export const nav = 'Acknowledgment';
export const perm = '@session';

export async function render(main, _params, app) {
  const notice = await api('GET', '/api/v1/notice');
  await app.refreshChrome();
  const gates = h('div', { class: 'gates', id: 'gates' },
    h('p', {}, session.me.gates_missing.length ? 'Still needed before plate data opens:' : 'All requirements are met.'),
    h('ul', {}, ...session.me.gates_missing.map((g) => h('li', {}, g))));
  main.append(gates);
  if (!session.me.gates_missing.includes('sign the ALPR policy acknowledgment')) {
    main.append(h('p', { class: 'ok', id: 'ack-signed' }, 'You have signed the acknowledgment.'));
    return;
  }
  const boxes = notice.acknowledgment_statements.map((s, i) =>
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `ack-${i}` }), ' ', h('label', { for: `ack-${i}` }, s)));
  const form = h('form', { id: 'ack-form' },
    h('fieldset', {}, h('legend', {}, 'I acknowledge that'), ...boxes),
    field('Type your full name as your signature', h('input', { type: 'text', id: 'ack-name', autocomplete: 'name' })),
    h('div', {}, h('button', { type: 'submit' }, 'Sign the acknowledgment')));
  onSubmit(form, async () => {
    await api('POST', '/api/v1/me/acknowledgment', {
      statements: notice.acknowledgment_statements.map((_, i) => form.querySelector(`#ack-${i}`).checked),
      typed_name: form.querySelector('#ack-name').value,
    });
    say('Acknowledgment signed; a supervisor and the ALPR coordinator must now approve it.');
    await app.rerender();
  });
  main.append(form);
}
