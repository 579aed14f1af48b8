// User accounts: creating, approving, training, roles, resets, separation.
import { api } from '../api.js';
import { h, cell, select, table, once, say, onSubmit, onClick } from '../ui.js';
import { roles } from '../session.js';
import { toIso } from '../time.js';

export const name = 'users';
export const title = 'Users';
export const nav = 'Users';
export const perm = 'manage_users';

export async function render(main) {
  const r = await roles();
  const roleNames = Object.keys(r.roles);
  const shown = h('div', { id: 'user-once', 'aria-live': 'polite' });
  const form = h('form', { id: 'user-create' }, h('h2', {}, 'Create a user'),
    h('div', { class: 'row' },
      cell('Username', h('input', { type: 'text', id: 'nu-username', autocomplete: 'off' })),
      cell('Full name', h('input', { type: 'text', id: 'nu-fullname', autocomplete: 'off' })),
      h('div', {}, h('label', { for: 'nu-role' }, 'Role'), select('nu-role', roleNames.map((n) => [n, r.roles[n].title]), 'patrol')),
      cell('Supervisor (username, optional)', h('input', { type: 'text', id: 'nu-supervisor' }))),
    h('div', {}, h('button', { type: 'submit' }, 'Create user')), shown);
  const listBox = h('section', { id: 'users-list' });
  main.append(form, h('h2', {}, 'Accounts'), listBox);
  onSubmit(form, async () => {
    const body = { username: form.querySelector('#nu-username').value.trim(), full_name: form.querySelector('#nu-fullname').value.trim(),
      role: form.querySelector('#nu-role').value };
    const sup = form.querySelector('#nu-supervisor').value.trim();
    if (sup) body.supervisor = sup;
    const made = await api('POST', '/api/v1/users', body);
    shown.replaceChildren(once(`One-time password for ${made.username} (shown once; give it to the user in person):`, made.initial_password, 'new-user-password'));
    form.reset();
    await load();
  });
  async function act(user, action, body, msg) {
    const res = await api('POST', `/api/v1/users/${encodeURIComponent(user)}/${action}`, body || {});
    if (res.initial_password) shown.replaceChildren(once(`New one-time password for ${user} (shown once):`, res.initial_password, 'new-user-password'));
    say(msg); await load();
  }
  async function load() {
    const res = await api('GET', '/api/v1/users');
    listBox.replaceChildren(table(['User', 'Name', 'Role', 'State', 'MFA', 'Ack signed', 'Supervisor ok', 'Coordinator ok', 'Training', 'Last logon', 'Actions'],
      res.users.map((u) => {
        const b = (label, fn, cls = 'secondary') => { const x = h('button', { type: 'button', class: cls }, label); onClick(x, fn); return x; };
        const roleSel = select(`role-${u.username}`, roleNames.map((n) => [n, n]), u.role);
        roleSel.setAttribute('aria-label', `Role for ${u.username}`);
        const course = h('input', { type: 'text', value: 'ALPR policy and use', 'aria-label': `Training course for ${u.username}` });
        const actions = h('div', { class: 'actions', 'data-user': u.username },
          b('Unlock', () => act(u.username, 'unlock', {}, `${u.username} unlocked.`)),
          roleSel, b('Set role', () => act(u.username, 'role', { role: roleSel.value }, `Role of ${u.username} set.`)),
          course, b('Record training', () => act(u.username, 'training', { course: course.value, completed: toIso(null) }, `Training recorded for ${u.username}.`)),
          b('Approve as supervisor', () => act(u.username, 'approve', { as: 'supervisor' }, `Supervisor approval recorded for ${u.username}.`)),
          b('Approve as coordinator', () => act(u.username, 'approve', { as: 'coordinator' }, `Coordinator approval recorded for ${u.username}.`)),
          b('Reset password', () => act(u.username, 'reset-password', {}, `Password of ${u.username} reset.`)),
          b('Reset MFA', () => act(u.username, 'reset-mfa', {}, `MFA of ${u.username} reset.`)),
          b('Separate', async () => { if (window.confirm(`Separate ${u.username}? The account is closed for good.`)) await act(u.username, 'separate', { reason: 'separation' }, `${u.username} separated.`); }, 'danger'));
        const yes = (v) => (v ? 'yes' : 'no');
        return [u.username, u.full_name, u.role, u.state + (u.state_reason ? ` (${u.state_reason})` : ''), yes(u.totp_enrolled),
          yes(u.acknowledgment_signed), yes(u.supervisor_approved), yes(u.coordinator_approved),
          u.training_completed ? new Date(u.training_completed).toLocaleDateString() : 'none',
          u.last_logon ? new Date(u.last_logon).toLocaleString() : 'never', actions];
      }), 'users-table'));
  }
  await load();
}
