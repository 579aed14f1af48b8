// The public transparency figures (no plate data) and the access log's signed head.
import { api } from '../api.js';
import { h, table, figures } from '../ui.js';
import { session, purposes } from '../session.js';
import { when } from '../time.js';

export const name = 'transparency';
export const title = 'Transparency';
export const nav = 'Transparency';
export const perm = '@any';

// The access log's signed head: its newest checkpoint, signed with the agency's key (no
// plate data). Copies kept by anyone prove a later rewrite of the log.
function logHeadSection(head) {
  const hex = (v) => h('code', { class: 'hex' }, v);
  const signed = head
    ? h('dl', { class: 'figures', id: 'tr-log-head-figures' },
        h('dt', {}, 'Entry (sequence number)'), h('dd', {}, String(head.seq)),
        h('dt', {}, 'Signed at'), h('dd', {}, `${when(head.at)} (${head.at})`),
        h('dt', {}, 'Hash (SHA-256)'), h('dd', {}, hex(head.hash)),
        h('dt', {}, 'Signature (Ed25519)'), h('dd', {}, hex(head.signature)),
        h('dt', {}, 'Public key'), h('dd', {}, hex(head.public_key)))
    : h('p', {}, 'No entry of the access log has been signed yet.');
  return h('section', { id: 'tr-log-head' }, h('h2', {}, 'Signed head of the access log'),
    h('p', {}, 'Every search and every access to plate data is written to a hash-chained access log. Its head is signed regularly with the agency\'s key and published here and to the system journal.'),
    signed,
    h('p', {}, 'To hold the agency to it, keep copies: save this page\'s data (GET /api/v1/transparency) from time to time. Anyone can then check the log against the copies with ',
      h('code', {}, 'custodian audit verify --against FILE'),
      ', which fails, naming the entry, if the log was rewritten or cut short after a head was published.'));
}

export async function render(main) {
  const t = await api('GET', '/api/v1/transparency');
  const purposesList = await purposes().catch(() => ({ allowed: {} }));
  const byPurpose = Object.entries(t.searches_last_365_days.by_purpose);
  main.append(
    h('p', {}, 'Aggregate figures about this agency\'s use of automated license plate readers, published under California Civil Code 1798.90.51. No plate data is shown here.'),
    h('section', { id: 'tr-cameras' }, h('h2', {}, 'Cameras'), figures([['Total', t.cameras.total], ['Public safety', t.cameras.public_safety], ['Non-public-safety (parking etc.)', t.cameras.non_public_safety]])),
    h('section', {}, h('h2', {}, 'Plate reads'), figures([['Stored now', t.reads.stored], ['Collected in the last 30 days', t.reads.last_30_days]])),
    h('section', {}, h('h2', {}, 'Hotlist hits'), figures([['Total', t.hotlist_hits.total], ['Confirmed by an officer', t.hotlist_hits.confirmed], ['Dismissed as misreads', t.hotlist_hits.dismissed_as_misread]])),
    h('section', {}, h('h2', {}, 'Searches in the last 365 days'),
      byPurpose.length ? table(['Purpose', 'Searches'], byPurpose.map(([p, n]) => [purposesList.allowed[p] || p, String(n)]), 'tr-purposes') : h('p', {}, 'No searches.'),
      figures([['Searches refused', t.searches_last_365_days.refused]])),
    h('section', {}, h('h2', {}, 'Sharing'), figures([['Grants in force', t.sharing.grants_in_force], ['Agencies shared with', t.sharing.agencies]])),
    h('section', {}, h('h2', {}, 'Retention'), figures([['Minimum (days)', t.retention.minimum_days], ['Maximum (days)', t.retention.maximum_days], ['Purge runs', t.purge_runs]])),
    logHeadSection(t.access_log_head));
  if (!session.me) main.append(h('p', {}, h('a', { href: '#/logon' }, 'Staff log on')));
}
