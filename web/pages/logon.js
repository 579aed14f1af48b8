// The logon form, under the system-use notice the user must accept.
import { api } from '../api.js';
import { h, field, clearMessages, onSubmit } from '../ui.js';
import { signedOn } from '../session.js';

export const name = 'logon';
export const title = 'Log on';
export const perm = '@any';

export async function render(main, _params, app) {
  const notice = await api('GET', '/api/v1/notice');
  const form = h('form', { id: 'logon-form', novalidate: true },
    h('h2', {}, 'System-use notice'),
    h('div', { class: 'notice', id: 'notice-text' }, notice.system_use_notice),
    h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'notice-accepted', required: true }), ' ',
      h('label', { for: 'notice-accepted' }, 'I have read and accept the system-use notice')),
    field('Username', h('input', { type: 'text', id: 'username', autocomplete: 'username', required: true })),
    field('Password', h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true })),
    field('One-time code (authenticator app; leave empty at first logon)',
      h('input', { type: 'text', id: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8' })),
    h('div', {}, h('button', { type: 'submit', id: 'logon-submit' }, 'Log on')),
    h('p', {}, h('a', { href: '#/transparency' }, 'Public transparency figures')));
  onSubmit(form, async () => {
    clearMessages();
    signedOn(await api('POST', '/api/v1/session', {
      username: form.querySelector('#username').value.trim(),
      password: form.querySelector('#password').value,
      code: form.querySelector('#totp').value.trim(),
      notice_accepted: form.querySelector('#notice-accepted').checked,
    }));
    app.go(app.home());
  });
  main.append(form);
  form.querySelector('#username').focus();
}
