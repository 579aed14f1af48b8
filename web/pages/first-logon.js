// First logon: enrol an authenticator app (TOTP), then set one's own password.
import { api } from '../api.js';
import { h, field, say, fail, onSubmit, onClick } from '../ui.js';
import { session, signedOn } from '../session.js';

export const name = 'first-logon';
export const title = 'First logon';
export const perm = '@session';

export async function render(main, _params, app) {
  const me = session.me;
  main.append(h('p', {}, 'Before using the system, enrol an authenticator app and set your own password.'));
  if (me.must_enrol_totp) {
    const out = h('div', { id: 'mfa-details' });
    const start = h('button', { type: 'button', id: 'mfa-start' }, 'Start enrolment');
    const confirmForm = h('form', { id: 'mfa-confirm-form', hidden: true },
      field('Code shown by the app', h('input', { type: 'text', id: 'mfa-code', inputmode: 'numeric', autocomplete: 'one-time-code' })),
      h('div', {}, h('button', { type: 'submit' }, 'Confirm code')));
    onClick(start, async () => {
      const e = await api('POST', '/api/v1/me/mfa/enrol');
      out.replaceChildren(
        h('p', {}, 'Add this secret to your authenticator app (type it, or use the URI):'),
        h('label', { for: 'mfa-secret' }, 'Secret'), h('output', { id: 'mfa-secret', class: 'secret' }, e.secret),
        h('label', { for: 'mfa-uri' }, 'otpauth URI'), h('output', { id: 'mfa-uri', class: 'secret' }, e.uri));
      confirmForm.hidden = false;
      confirmForm.querySelector('#mfa-code').focus();
    });
    onSubmit(confirmForm, async () => {
      signedOn(await api('POST', '/api/v1/me/mfa/confirm', { code: confirmForm.querySelector('#mfa-code').value.trim() }));
      say('Multi-factor authentication enrolled.');
      await app.rerender();
    });
    main.append(h('section', {}, h('h2', {}, '1. Enrol multi-factor authentication'), start, out, confirmForm));
    return;
  }
  if (me.must_change_password) {
    const form = h('form', { id: 'password-form' },
      h('h2', {}, '2. Set your own password'),
      field('Current (one-time) password', h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password' })),
      field('New password (at least 8 characters; a few unrelated words make a strong one)',
        h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' })),
      field('New password again', h('input', { type: 'password', id: 'pw-again', autocomplete: 'new-password' })),
      h('div', {}, h('button', { type: 'submit' }, 'Change password')));
    onSubmit(form, async () => {
      const next = form.querySelector('#pw-new').value;
      if (next !== form.querySelector('#pw-again').value) { fail('The two new passwords differ.'); return; }
      signedOn(await api('POST', '/api/v1/me/password', { current: form.querySelector('#pw-current').value, new: next }));
      say('Password changed.');
      app.go(app.home());
    });
    main.append(form);
    return;
  }
  main.append(h('p', {}, 'Nothing left to do here. ', h('a', { href: '#/' + app.home() }, 'Continue')));
}
