// Trainer panel (練習用パネル, training mode only): pick a persona, place / remove its virtual card,
// choose what the camera sees, inject OQS and reader faults. Everything goes through trainer_*
// commands; the panel keeps only the last choices to highlight them.

import { h, mount, keyed } from '../dom.js';
import { kebab } from '../view.js';
import { formatDate } from '../format.js';
import { paneHeader } from './common.js';
import { button } from './staff-forms.js';
import * as scenario from './trainer-scenario.js';

const CAMERA = ['same', 'other', 'noface', 'webcam'];
const OQS_FAULTS = ['none', 'latency', 'latency_long', 'timeout', 'http500', 'refused', 'malformed', 'processing', 'error'];
const READER_FAULTS = ['none', 'pcscd_stopped', 'card_pulled'];

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function loadPersonas(ctx) {
  const list = await ctx.call('trainer_personas');
  ctx.local.personas = Array.isArray(list) ? list : [];
  ctx.local.version = (ctx.local.version || 0) + 1;
  ctx.rerender();
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function choose(ctx, key, value, command, args) {
  return async () => {
    const res = await ctx.call(command, args);
    if (res !== undefined) {
      ctx.local[key] = value;
      ctx.local.version = (ctx.local.version || 0) + 1;
      ctx.rerender();
    }
  };
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function group(ctx, title, key, values, command, argName, prefix) {
  const { t } = ctx;
  return h('section', { class: 'card trainer-group' },
    h('h3', {}, t(title)),
    h('div', { class: 'chips' }, values.map((v) => h('button', {
      type: 'button', class: ['chip', ctx.local[key] === v ? 'on' : ''], testid: `${prefix}-${kebab(v)}`, 'aria-pressed': String(ctx.local[key] === v),
      on: { click: choose(ctx, key, v, command, { [argName]: v }) },
    }, t(`${title}.${v}`)))));
}

// Tabs: the manual controls (default) and the scored scenarios (trainer-scenario.js).
/**
 * @param {import('../app.js').Ctx} ctx
 */
function tabs(ctx) {
  const tab = ctx.local.tab || 'controls';
  return h('div', { class: 'chips trainer-tabs', role: 'tablist' }, ['controls', 'scenario'].map((v) => h('button', {
    type: 'button', role: 'tab', class: ['chip', tab === v ? 'on' : ''], testid: `trainer-tab-${v}`, 'aria-selected': String(tab === v),
    on: { click: () => { ctx.local.tab = v; ctx.rerender(); } },
  }, ctx.t(`trainer.tab.${v}`))));
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t, local } = ctx;
  if (ctx.info.mode === 'live') {
    mount(root, h('div', { class: 'trainer', screen: 'TrainerPanel', testid: 'trainer-root' }, h('p', { class: 'muted' }, t('trainer.live_hidden'))));
    return;
  }
  if (local.personas === undefined) {
    local.personas = null;
    loadPersonas(ctx);
  }
  if (!root.querySelector(':scope > .trainer')) mount(root, h('div', { class: 'trainer', screen: 'TrainerPanel', testid: 'trainer-root' }));
  const el = root.querySelector(':scope > .trainer');
  keyed(el, JSON.stringify([ctx.lang, local.version, local.selected, local.tab, scenario.key(ctx)]), (r) => {
    if (local.tab === 'scenario') {
      r.append(paneHeader(ctx, 'trainer', t('trainer.header')), tabs(ctx), scenario.view(ctx));
      return;
    }
    /** @type {import('../contract/commands').PersonaRow[]} */
    const personas = local.personas || [];
    const sel = personas.find((p) => p.id === local.selected);
    r.append(
      paneHeader(ctx, 'trainer', t('trainer.header')),
      tabs(ctx),
      h('section', { class: 'card personas' },
        h('h3', {}, t('trainer.personas')),
        personas.length === 0 ? h('p', { class: 'muted' }, t('common.loading')) : null,
        h('ul', { class: 'persona-list' }, personas.map((p) => h('li', {},
          h('button', {
            type: 'button', class: ['persona', p.id === local.selected ? 'on' : ''], testid: `trainer-persona-${p.id}`, 'aria-pressed': String(p.id === local.selected),
            on: { click: () => { local.selected = p.id; ctx.rerender(); } },
          },
          h('span', { class: 'persona-name' }, p.name || p.id),
          h('span', { class: 'persona-meta' }, [p.kana, p.birthdate ? formatDate(p.birthdate, ctx.lang) : null].filter(Boolean).join(' · ')),
          p.kind && p.kind !== 'normal' ? h('span', { class: 'badge' }, t(`trainer.kind.${p.kind}`)) : null)))),
        sel && sel.story ? h('p', { class: 'persona-story', testid: 'trainer-persona-story' }, sel.story) : null,
        h('div', { class: 'button-row' },
          button('trainer-place-card', t('trainer.place'), async () => {
            if (!local.selected) { ctx.flash(t('trainer.pick_first')); return; }
            await ctx.call('trainer_place_card', { persona: local.selected });
          }, 'primary', { disabled: !local.selected }),
          button('trainer-remove-card', t('trainer.remove'), () => ctx.call('trainer_remove_card'), 'secondary'))),
      group(ctx, 'trainer.camera', 'camera', CAMERA, 'trainer_camera', 'input', 'trainer-camera'),
      group(ctx, 'trainer.oqs', 'oqs', OQS_FAULTS, 'trainer_oqs_fault', 'fault', 'trainer-oqs-fault'),
      group(ctx, 'trainer.reader', 'reader', READER_FAULTS, 'trainer_reader_fault', 'fault', 'trainer-reader-fault'),
      h('p', { class: 'muted small' }, t('trainer.note')));
  });
}
