// Trainer panel, シナリオ tab (issue #8): the trainee's name, the curriculum, start a scenario (the backend pins
// its day, places the card, sets the faults and records every staff decision), 「終了して採点」, the debrief
// (each decision: expected / done / grade / why / source), the trainee's history and the certificate PDF.
// Grading happens in the backend (reception::training); this module only shows what it answers.

import { h } from '../dom.js';
import { button } from './staff-forms.js';

const GRADES = ['Correct', 'Acceptable', 'Wrong', 'Missing', 'Extra'];

/**
 * The tab's memory in the pane: the name typed, the curriculum, the run in progress and what came back.
 * @typedef {object} ScenarioTab
 * @property {string} trainee
 * @property {import('../contract/commands').ScenarioRow[] | null | undefined} list null: not asked yet; undefined: loading
 * @property {string | null} selected
 * @property {import('../contract/commands').ScenarioStarted | null} running
 * @property {import('../contract/commands').DebriefView | null} debrief
 * @property {import('../contract/commands').History | null} history
 * @property {import('../contract/commands').ClassView | null} [klass] the class view (a training centre, #15)
 * @property {number} v
 */

/**
 * @param {import('../app.js').Ctx} ctx
 * @returns {ScenarioTab}
 */
function state(ctx) {
  if (!ctx.local.sc) ctx.local.sc = { trainee: '', list: null, selected: null, running: null, debrief: null, history: null, v: 0 };
  return ctx.local.sc;
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function bump(ctx) {
  state(ctx).v += 1;
  ctx.rerender();
}

/**
 * What the trainer pane's keyed render must watch for this tab.
 * @param {import('../app.js').Ctx} ctx
 */
export function key(ctx) {
  return state(ctx).v;
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function loadList(ctx) {
  const sc = state(ctx);
  const list = await ctx.call('scenario_list');
  sc.list = Array.isArray(list) ? list : [];
  bump(ctx);
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function loadHistory(ctx) {
  const sc = state(ctx);
  if (!sc.trainee.trim()) { ctx.flash(ctx.t('scenario.name_first')); return; }
  const res = await ctx.call('training_history', { trainee: sc.trainee });
  if (res !== undefined) { sc.history = res; bump(ctx); }
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function start(ctx) {
  const sc = state(ctx);
  if (!sc.trainee.trim()) { ctx.flash(ctx.t('scenario.name_first')); return; }
  if (!sc.selected) { ctx.flash(ctx.t('scenario.pick_first')); return; }
  const res = await ctx.call('scenario_start', { trainee: sc.trainee, id: sc.selected });
  if (res !== undefined) {
    sc.running = res;
    sc.debrief = null;
    bump(ctx);
    await ctx.refreshInfo(); // the scenario's day
  }
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function finish(ctx) {
  const sc = state(ctx);
  const res = await ctx.call('scenario_finish');
  if (res !== undefined) {
    sc.debrief = res;
    sc.running = null;
    await loadHistory(ctx);
    bump(ctx);
    await ctx.refreshInfo(); // back to the real day
  }
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function loadClass(ctx) {
  const sc = state(ctx);
  const res = await ctx.call('training_class', {});
  if (res !== undefined) { sc.klass = res; bump(ctx); }
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function classCsv(ctx) {
  const res = await ctx.call('training_class_csv', {});
  if (res && res.path) ctx.flash(ctx.t('scenario.class_saved', { path: res.path }), 'info');
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function certificate(ctx) {
  const sc = state(ctx);
  if (!sc.trainee.trim()) { ctx.flash(ctx.t('scenario.name_first')); return; }
  const res = await ctx.call('training_certificate_pdf', { trainee: sc.trainee });
  if (res && res.path) ctx.flash(ctx.t('scenario.certificate_saved', { path: res.path }), 'info');
}

const text = (ctx, tx) => (tx ? (ctx.lang === 'en' ? tx.en : tx.ja) || '' : '');
const minutes = (ctx, secs) => ctx.t('scenario.time', { m: Math.floor(secs / 60), s: String(secs % 60).padStart(2, '0') });

/**
 * @param {import('../app.js').Ctx} ctx
 */
function traineeCard(ctx) {
  const sc = state(ctx);
  return h('section', { class: 'card' },
    h('label', { class: 'field wide' },
      h('span', { class: 'field-label' }, ctx.t('scenario.trainee')),
      h('input', {
        type: 'text', testid: 'scenario-trainee', value: sc.trainee, autocomplete: 'off', maxlength: '100',
        on: { input: (e) => { sc.trainee = e.target.value; } },
      })),
    h('div', { class: 'button-row' },
      button('scenario-history-load', ctx.t('scenario.history_load'), () => loadHistory(ctx), 'secondary'),
      button('training-certificate', ctx.t('scenario.certificate'), () => certificate(ctx), 'secondary')));
}

/**
 * The class (every trainee of this training record; on a shared server, every desk's).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').ClassView | null | undefined} klass
 */
function classCard(ctx, klass) {
  if (!klass) {
    // The trainer's view, last in the tab: it never pushes the trainee's own controls out of sight.
    return h('section', { class: 'card scenario-class' },
      button('training-class-load', ctx.t('scenario.class_load'), () => loadClass(ctx), 'ghost'));
  }
  const rows = klass.trainees || [];
  return h('section', { class: 'card scenario-class', testid: 'training-class' },
    h('header', { class: 'card-head' }, h('h3', {}, ctx.t('scenario.class'))),
    h('div', { class: 'button-row' },
      button('training-class-load', ctx.t('today.refresh'), () => loadClass(ctx), 'ghost'),
      button('training-class-csv', ctx.t('scenario.class_csv'), () => classCsv(ctx), 'ghost')),
    rows.length === 0 ? h('p', { class: 'muted' }, ctx.t('scenario.class_empty')) : null,
    // One block per trainee: the trainer pane is narrow, a table would cut its columns.
    h('ul', { class: 'history-list' }, rows.map((r, i) => h('li', { testid: `training-class-${i}`, dataset: { complete: String(r.complete) } },
      h('div', {}, h('strong', {}, r.trainee), r.complete ? [' ', h('span', { class: 'pill ok' }, ctx.t('scenario.class_complete'))] : null),
      h('div', { class: 'small' }, ctx.t('scenario.class_line', {
        runs: r.runs, passed: r.passed, of: r.curriculum, mean: r.mean_percent, time: minutes(ctx, r.total_secs),
      })),
      r.weakest.length
        ? h('div', { class: 'small muted' }, ctx.t('scenario.class_col.weakest'), ': ',
          r.weakest.map((w) => ctx.t('scenario.class_weak', { source: w.source, n: w.misses })).join(ctx.lang === 'en' ? '; ' : '、'))
        : null))));
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function listCard(ctx) {
  const sc = state(ctx);
  const list = sc.list || [];
  const sel = list.find((s) => s.id === sc.selected);
  return h('section', { class: 'card scenarios' },
    h('h3', {}, ctx.t('scenario.list')),
    list.length === 0 ? h('p', { class: 'muted' }, ctx.t('common.loading')) : null,
    h('ul', { class: 'scenario-list' }, list.map((s) => h('li', {},
      h('button', {
        type: 'button', class: ['scenario', s.id === sc.selected ? 'on' : ''], testid: `scenario-item-${s.id}`, 'aria-pressed': String(s.id === sc.selected),
        on: { click: () => { sc.selected = s.id; bump(ctx); } },
      },
      h('span', { class: 'scenario-title' }, text(ctx, s.title)),
      h('span', { class: 'scenario-meta' }, [s.id, s.today].join(' · ')))))),
    sel ? h('p', { class: 'scenario-story', testid: 'scenario-preview' }, sel.story_ja) : null,
    h('div', { class: 'button-row' },
      button('scenario-start', ctx.t('scenario.start'), () => start(ctx), 'primary', { disabled: !sc.selected })));
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').ScenarioStarted} running
 */
function runningCard(ctx, running) {
  const s = running.scenario;
  return h('section', { class: 'card scenario-running', testid: 'scenario-running' },
    h('h3', {}, ctx.t('scenario.running', { title: text(ctx, s.title) })),
    h('p', { class: 'scenario-meta' }, ctx.t('scenario.meta', { trainee: running.trainee, today: s.today })),
    h('p', { class: 'scenario-story', testid: 'scenario-story' }, s.story_ja),
    running.unplayed && running.unplayed.length
      ? h('p', { class: 'muted small', testid: 'scenario-unplayed' }, ctx.t('scenario.unplayed', { faults: running.unplayed.join(', ') }))
      : null,
    h('p', { class: 'muted small' }, ctx.t('scenario.hint')),
    h('div', { class: 'button-row' },
      button('scenario-finish', ctx.t('scenario.finish'), () => finish(ctx), 'primary')));
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').DebriefView} d
 */
function debriefCard(ctx, d) {
  const labels = d.labels || [];
  return h('section', { class: ['card', 'debrief', d.passed ? 'passed' : 'failed'], testid: 'debrief' },
    h('h3', {}, ctx.t('scenario.debrief', { title: text(ctx, d.title) })),
    h('p', { class: 'debrief-summary' },
      h('strong', { testid: 'debrief-score' }, `${d.score_percent} %`),
      ' ', ctx.t('scenario.points', { points: d.points, max: d.max_points }),
      ' · ', minutes(ctx, d.elapsed_secs),
      ' · ', h('span', { testid: 'debrief-verdict' }, ctx.t(d.passed ? 'scenario.passed' : 'scenario.failed'))),
    h('ol', { class: 'debrief-items' }, (d.items || []).map((it, i) => {
      const l = labels[i] || {};
      const grade = GRADES.includes(it.grade) ? it.grade : 'Extra';
      return h('li', { class: ['debrief-item', `grade-${grade.toLowerCase()}`], testid: `debrief-item-${i + 1}`, dataset: { grade } },
        h('div', { class: 'debrief-grade' }, ctx.t(`scenario.grade.${grade}`)),
        h('div', {}, h('span', { class: 'field-label' }, ctx.t('scenario.expected')), ' ', text(ctx, l.expected) || ctx.t('scenario.none')),
        h('div', {}, h('span', { class: 'field-label' }, ctx.t('scenario.done')), ' ', text(ctx, l.done) || ctx.t('scenario.none')),
        h('div', { class: 'debrief-why' }, text(ctx, it.why)),
        it.source ? h('div', { class: 'debrief-source', testid: `debrief-source-${i + 1}` }, ctx.t('scenario.source', { source: it.source })) : null);
    })));
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').History} hist
 */
function historyCard(ctx, hist) {
  const runs = hist.runs || [];
  return h('section', { class: 'card scenario-history', testid: 'scenario-history' },
    h('h3', {}, ctx.t('scenario.history')),
    runs.length === 0 ? h('p', { class: 'muted' }, ctx.t('scenario.history_empty')) : null,
    h('ul', { class: 'history-list' }, runs.map((r) => h('li', { testid: `scenario-history-${r.id}`, dataset: { passed: String(r.passed) } },
      `${r.passed ? '○' : '×'} ${text(ctx, r.title) || r.scenario_id} — ${r.score_percent} % · ${minutes(ctx, r.elapsed_secs)}`))),
    h('p', { class: 'muted small', testid: 'scenario-remaining' },
      ctx.t('scenario.remaining', { n: (hist.remaining || []).length })));
}

/**
 * The tab's content (the trainer pane re-renders it when `key(ctx)` changes).
 * @param {import('../app.js').Ctx} ctx
 */
export function view(ctx) {
  const sc = state(ctx);
  if (sc.list === null) {
    sc.list = undefined;
    loadList(ctx);
  }
  return h('div', { class: 'trainer-scenario', testid: 'scenario-root' },
    traineeCard(ctx),
    // The debrief comes first: it is what the trainee just asked for.
    sc.debrief ? debriefCard(ctx, sc.debrief) : null,
    sc.running ? runningCard(ctx, sc.running) : listCard(ctx),
    sc.history ? historyCard(ctx, sc.history) : null,
    classCard(ctx, sc.klass));
}
