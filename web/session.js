// The app's shared state, kept in one place: who is signed on and what the role may do,
// the policy files the forms are built from, and what the page shown holds (an alert
// stream, image blob: URLs) that the router frees when the page is left.
import { api, ApiError, setCsrf } from './api.js';

export const session = { me: null };  // GET /api/v1/me, or null; written only here

export function signedOn(me) { session.me = me; setCsrf(me.csrf_token); }
export function signedOff() { session.me = null; setCsrf(''); }

export async function loadMe() {
  try {
    signedOn(await api('GET', '/api/v1/me'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) signedOff(); else throw e;
  }
}

// ---- Permissions: `op` or `op:class` as GET /api/v1/me lists them ----
export function can(op) {
  if (!session.me) return false;
  return session.me.permissions.some((p) => p === op || p.startsWith(op + ':'));
}
export function classesFor(op) {
  return (session.me?.permissions || []).filter((p) => p.startsWith(op + ':')).map((p) => p.split(':')[1]);
}

// ---- The purpose codes and the role list, from policy/ (fetched once) ----
const policy = {};
async function policyFile(file) {
  if (!policy[file]) policy[file] = await (await fetch(file)).json();
  return policy[file];
}
export function purposes() { return policyFile('purposes.json'); }
export function roles() { return policyFile('roles.json'); }

// ---- What the page shown holds, released by the router before the next page ----
const held = [];
export function onLeave(release) { held.push(release); }
export function keepImage(url) { onLeave(() => URL.revokeObjectURL(url)); return url; }
export function leavePage() { for (const release of held.splice(0)) release(); }
