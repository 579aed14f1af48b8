// Custodian web application: one page, hash routes, plain ES modules.
// This file is the router and the chrome around the pages (the navigation, who is signed
// on, the log-off button); each page is a module in pages/ (see README.md).
// Every string from the server goes into the page as text (never as HTML).
import { api } from './api.js';
import { h, fail, clearMessages } from './ui.js';
import { session, can, loadMe, signedOff, leavePage } from './session.js';
import * as logon from './pages/logon.js';
import * as firstLogon from './pages/first-logon.js';
import * as acknowledgment from './pages/acknowledgment.js';
import * as search from './pages/search.js';
import * as alerts from './pages/alerts.js';
import * as hotlists from './pages/hotlists.js';
import * as holds from './pages/holds.js';
import * as users from './pages/users.js';
import * as cameras from './pages/cameras.js';
import * as audit from './pages/audit.js';
import * as grants from './pages/grants.js';
import * as requests from './pages/requests.js';
import * as audits from './pages/audits.js';
import * as breach from './pages/breach.js';
import * as retention from './pages/retention.js';
import * as transparency from './pages/transparency.js';

// Every page, in the order of the navigation; a page without a `nav` label is not in it.
const pages = [search, alerts, hotlists, holds, users, cameras, audit, grants, requests, audits, breach,
  retention, acknowledgment, transparency, logon, firstLogon];
const byName = new Map(pages.map((p) => [p.name, p]));

// A page's `perm`: '@any' (open without logon), '@session' (anyone signed on), or an
// operation the role must hold (as GET /api/v1/me lists it, with or without a class).
const isPublic = (page) => page.perm === '@any';
const needsOp = (page) => !page.perm.startsWith('@');
function allowed(page) {
  if (isPublic(page)) return true;
  return page.perm === '@session' ? !!session.me : can(page.perm);
}

// ---- Chrome ----
// The navigation, generated from the page list into <nav id="nav">:
// <ul><li><a href="#/search" data-perm="search_reads">Search</a></li>...</ul>
const navLinks = new Map();  // page name -> its <a>
function buildNav() {
  const items = pages.filter((p) => p.nav).map((p) => {
    const a = h('a', { href: `#/${p.name}`, 'data-perm': p.perm }, p.nav);
    navLinks.set(p.name, a);
    return h('li', {}, a);
  });
  document.getElementById('nav').replaceChildren(h('ul', {}, ...items));
}

function updateChrome(route) {
  for (const [name, a] of navLinks) {
    a.parentElement.hidden = !allowed(byName.get(name));
    if (name === route) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const who = document.getElementById('who');
  who.textContent = session.me ? `${session.me.username} (${session.me.role})` : '';
  document.getElementById('logout').hidden = !session.me;
}

// ---- Routes ----
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [name, query] = raw.split('?');
  return { name: name || '', params: new URLSearchParams(query || '') };
}
function go(name) { location.hash = '#/' + name; }

// Where a user lands: the first-logon steps, the acknowledgment, then the first of these
// pages the role may open.
function home() {
  if (!session.me) return 'logon';
  if (session.me.must_enrol_totp || session.me.must_change_password) return 'first-logon';
  if (session.me.gates_missing.includes('sign the ALPR policy acknowledgment')) return 'acknowledgment';
  for (const r of ['search', 'alerts', 'users', 'audit', 'hotlists']) if (can(byName.get(r).perm)) return r;
  return 'transparency';
}

// What a page may ask of the router (its render's third argument).
const app = {
  go,
  home,
  rerender: () => render(),
  // Fresh permissions and gates, shown in the chrome.
  refreshChrome: async () => { await loadMe(); updateChrome(parseHash().name); },
};

async function render() {
  leavePage();  // closes the alert stream, revokes the image blob: URLs of the page left
  clearMessages();
  let { name, params } = parseHash();
  if (!byName.has(name)) name = home();
  const wanted = byName.get(name);
  if (!isPublic(wanted) || session.me) {
    await loadMe();  // fresh permissions and gates on every page (approvals happen elsewhere)
    if (!session.me) { if (!isPublic(wanted)) name = 'logon'; }
    else if (!isPublic(wanted) && (session.me.must_enrol_totp || session.me.must_change_password) && name !== 'first-logon') {
      name = 'first-logon';
    }
  }
  if (location.hash !== '#/' + name && parseHash().name !== name) history.replaceState(null, '', '#/' + name);
  const page = byName.get(name);
  updateChrome(name);
  document.title = `${page.title} - Custodian ALPR`;
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', {}, page.title));
  main.dataset.page = name;
  if (needsOp(page) && !can(page.perm)) {
    main.append(h('p', { class: 'bad' }, 'Your role does not include this page.'));
    return;
  }
  // Pages of plate data list what is still missing before the server opens it.
  if (session.me && page.plateData && session.me.gates_missing.length) {
    main.append(h('div', { class: 'gates' }, h('p', {}, 'Plate data stays closed until these are done:'),
      h('ul', {}, ...session.me.gates_missing.map((g) => h('li', {}, g)))));
  }
  try {
    await page.render(main, params, app);
  } catch (e) { fail(e); }
}

// ---- Start ----
buildNav();
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch (e) { /* already gone */ }
  signedOff();
  go('logon');
});
window.addEventListener('hashchange', () => { render().catch(fail); });
(async () => {
  const page = byName.get(parseHash().name);
  if (!page || !isPublic(page)) await loadMe().catch(fail);
  else await loadMe().catch(() => {});
  await render();
})();
