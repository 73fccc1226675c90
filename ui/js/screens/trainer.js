// Trainer panel (練習用パネル, training mode only): pick a persona, place / remove its virtual card,
// choose what the camera sees, inject OQS and reader faults. Everything goes through trainer_*
// commands; what the chips and the card line show is trainer_state (what is in force, whoever set it:
// a click here, a scenario, the end of a scenario), reloaded after each command and each reader screen.

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
 * Read what is in force and redraw.
 * @param {import('../app.js').Ctx} ctx
 */
export async function loadState(ctx) {
  const st = await ctx.call('trainer_state');
  if (st !== undefined) {
    ctx.local.state = st;
    ctx.local.version = (ctx.local.version || 0) + 1;
    ctx.rerender();
  }
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function choose(ctx, command, args) {
  return async () => {
    await ctx.call(command, args);
    await loadState(ctx);
  };
}

/** The chip value in force for a group key ('camera' | 'oqs' | 'reader'). */
function inForce(ctx, key) {
  const st = ctx.local.state;
  if (!st) return null;
  return { camera: st.camera, oqs: st.oqs_fault, reader: st.reader_fault }[key];
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function group(ctx, title, key, values, command, argName, prefix) {
  const { t } = ctx;
  return h('section', { class: 'card trainer-group' },
    h('h3', {}, t(title)),
    h('div', { class: 'chips' }, values.map((v) => h('button', {
      type: 'button', class: ['chip', inForce(ctx, key) === v ? 'on' : ''], testid: `${prefix}-${kebab(v)}`, 'aria-pressed': String(inForce(ctx, key) === v),
      on: { click: choose(ctx, command, { [argName]: v }) },
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
  // A card placed or lifted, a scenario started or ended: each moves the reader, so reload what is in force.
  const screenSig = JSON.stringify([snap.screen, ctx.info.today]);
  if (screenSig !== local.stateFor) {
    local.stateFor = screenSig;
    loadState(ctx);
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
    const onReader = local.state && local.state.card ? personas.find((p) => p.id === local.state.card) : null;
    const story = sel ? (ctx.lang === 'en' ? sel.story.en : sel.story.ja) : '';
    r.append(
      paneHeader(ctx, 'trainer', t('trainer.header')),
      tabs(ctx),
      h('section', { class: 'card personas' },
        h('h3', {}, t('trainer.personas')),
        // What lies on the reader, and the card buttons, above the long list.
        h('p', { class: ['card-on-reader', onReader ? 'on' : ''], testid: 'trainer-card-on-reader' },
          onReader ? t('trainer.card_on', { name: onReader.name }) : t('trainer.card_off')),
        h('div', { class: 'button-row' },
          button('trainer-place-card', sel ? t('trainer.place_named', { name: sel.name }) : t('trainer.place'), async () => {
            if (!local.selected) { ctx.flash(t('trainer.pick_first')); return; }
            await ctx.call('trainer_place_card', { persona: local.selected });
            await loadState(ctx);
          }, 'primary', { disabled: !local.selected }),
          button('trainer-remove-card', t('trainer.remove'), async () => { await ctx.call('trainer_remove_card'); await loadState(ctx); }, 'secondary')),
        sel ? h('div', { class: 'persona-detail', testid: 'trainer-persona-detail' },
          story ? h('p', { class: 'persona-story', testid: 'trainer-persona-story' }, story) : null,
          h('p', { class: 'persona-pin', testid: 'trainer-persona-pin' },
            sel.pin ? t('trainer.pin', { pin: sel.pin }) : t('trainer.no_pin'))) : null,
        personas.length === 0 ? h('p', { class: 'muted' }, t('common.loading')) : null,
        h('ul', { class: 'persona-list' }, personas.map((p) => h('li', {},
          h('button', {
            type: 'button', class: ['persona', p.id === local.selected ? 'on' : ''], testid: `trainer-persona-${p.id}`, 'aria-pressed': String(p.id === local.selected),
            on: { click: () => { local.selected = p.id; ctx.rerender(); } },
          },
          h('span', { class: 'persona-name' }, p.name || p.id),
          h('span', { class: 'persona-meta' }, [p.kana, p.birthdate ? formatDate(p.birthdate, ctx.lang) : null].filter(Boolean).join(' · ')),
          p.kind && p.kind !== 'normal' ? h('span', { class: 'badge' }, t(`trainer.kind.${p.kind}`)) : null))))),
      group(ctx, 'trainer.camera', 'camera', CAMERA, 'trainer_camera', 'input', 'trainer-camera'),
      group(ctx, 'trainer.oqs', 'oqs', OQS_FAULTS, 'trainer_oqs_fault', 'fault', 'trainer-oqs-fault'),
      group(ctx, 'trainer.reader', 'reader', READER_FAULTS, 'trainer_reader_fault', 'fault', 'trainer-reader-fault'),
      h('p', { class: 'muted small' }, t('trainer.note')));
  });
}
