// Retention: the periods in force, the purge run now, the purge log.
import { api } from '../api.js';
import { h, table, figures, say, onClick } from '../ui.js';
import { when } from '../time.js';

export const name = 'retention';
export const title = 'Retention';
export const nav = 'Retention';
export const perm = 'manage_retention';

export async function render(main) {
  const box = h('section', { id: 'ret-periods' });
  const logBox = h('section', { id: 'ret-log' });
  const run = h('button', { type: 'button', id: 'ret-run', class: 'danger' }, 'Run the purge now');
  const result = h('div', { id: 'ret-result', 'aria-live': 'polite' });
  main.append(box, h('h2', {}, 'Purge'), h('p', {}, 'Deletes every read past its retention period, except reads under a legal hold. The purge also runs on schedule.'),
    h('div', {}, run), result, logBox);
  async function load() {
    const r = await api('GET', '/api/v1/retention');
    box.replaceChildren(h('h2', {}, 'Periods in force'), figures([['Public safety (days)', r.periods.public_safety_days],
      ['Non-public-safety (days)', r.periods.non_public_safety_days], ['Allowed range (days)', `${r.limits.minimum_days} to ${r.limits.maximum_days}`]]));
    logBox.replaceChildren(h('h2', {}, 'Purge log (newest first)'), r.purge_log.length
      ? table(['Run at', 'Run by', 'Class', 'Cut-off', 'Reads', 'Images', 'Plates', 'Oldest', 'Newest'], r.purge_log.map((e) => [when(e.run_at), e.run_by,
        e.data_class.replace(/_/g, ' '), when(e.cutoff), String(e.reads), String(e.images), String(e.plates), when(e.oldest), when(e.newest)]), 'ret-table')
      : h('p', { class: 'muted', id: 'ret-none' }, 'No purge has deleted anything yet.'));
  }
  onClick(run, async () => {
    if (!window.confirm('Run the retention purge now? Reads past retention are destroyed.')) return;
    const s = await api('POST', '/api/v1/retention/purge');
    result.replaceChildren(table(['Class', 'Cut-off', 'Reads', 'Images', 'Plates', 'Complete'], [['public safety', s.public_safety], ['non-public-safety', s.non_public_safety]]
      .map(([k, c]) => [k, when(c.cutoff), String(c.reads), String(c.images), String(c.plates), c.complete ? 'yes' : 'no (continues next run)']), 'ret-summary'));
    say('Purge finished.');
    await load();
  });
  await load();
}
