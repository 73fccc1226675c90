// @ts-check
// Bootstrap: finds the panes on the page (data-pane="reader|staff|trainer"), reads app_info and the
// first snapshot, subscribes to pushed snapshots and re-renders every pane. Each pane has its own
// language (the reader may be in English while staff work in Japanese). No flow logic here.

import * as backend from './backend.js';
import { makeT, hasKey } from './i18n/index.js';
import { formatDate } from './format.js';
import { screenOf } from './view.js';
import * as reader from './screens/reader.js';
import * as staff from './screens/staff.js';
import * as trainer from './screens/trainer.js';
import * as camera from './camera.js';

/** @typedef {import('./contract/commands').Commands} Commands */
/** @typedef {import('./contract/commands').CommandName} CommandName */
/** @typedef {import('./contract/commands').Snapshot} Snapshot */
/** @typedef {import('./contract/commands').UserInput} UserInput */
/** @typedef {import('./contract/commands').AppInfo} AppInfo */
/** @typedef {import('./contract/commands').UiError} UiError */
/** @typedef {(key: string, params?: Record<string, unknown>) => string} Translate */

/**
 * What every screen's `render(root, snapshot, ctx)` gets.
 * @typedef {object} Ctx
 * @property {'ja' | 'en'} lang
 * @property {Translate} t
 * @property {(iso: string | null | undefined) => string} fmtDate
 * @property {Partial<AppInfo>} info Filled by app_info at boot (only `mode` before).
 * @property {Record<string, any>} local The pane's own memory (loaded lists, tabs), kept across renders.
 * @property {Record<string, any>} patient The pane's memory for the current patient (forms, the PIN pad, the
 *   PDF path): emptied when the flow lets go of a patient (`snapshot.patient` changes), so nothing typed for
 *   one patient is ever shown, sent or printed for the next.
 * @property {(message: string, kind?: string) => void} flash
 * @property {(lang: 'ja' | 'en') => void} setLang
 * @property {() => void} rerender
 * @property {boolean} readerReady Live: the card reader can read a card now (pushed as `reader-ready`; true
 *   until told otherwise, and always in training).
 * @property {() => Promise<void>} refreshInfo Reads app_info again (a scenario pinned or released the clinic
 *   day) and redraws every pane.
 * @property {(input: UserInput) => Promise<void>} send Sends a UserInput; the answer is the next snapshot.
 * @property {<K extends CommandName>(name: K, ...args: import('./contract/commands').ArgsOf<K>) => Promise<Commands[K]['reply'] | undefined>} call
 *   Calls a staff / trainer command. Errors are shown in the pane and resolve to `undefined` (a command
 *   returning unit resolves to null, so callers test `!== undefined`).
 */

/** @typedef {{ render: (root: HTMLElement, snap: Snapshot, ctx: Ctx) => void }} PaneModule */

/** @type {Record<string, PaneModule>} */
const PANES = { reader, staff, trainer };

/**
 * `pushed` counts the snapshots the driver pushed: a reply (to `send` or `snapshot`) is shown only if no push
 * came while it was on its way. The driver does not block, so the work an input starts can finish — and its
 * snapshot be pushed and drawn — before the reply "right after the input" arrives; drawing that reply then
 * would put an older screen back (e.g. 資格確認中 over 受付完了 until the next push). Every change is pushed
 * before the reply is sent, so skipping the reply never loses a screen.
 * @type {{ snapshot: Snapshot | null, info: Partial<AppInfo>, panes: any[], pushed: number, readerReady: boolean }}
 */
const app = {
  readerReady: true,
  snapshot: null,
  info: { mode: 'training' },
  panes: [],
  pushed: 0,
};

/**
 * Show a reply unless a pushed snapshot (newer than it, or as new) came while it was on its way.
 * @param {() => Promise<Snapshot>} ask
 */
async function reply(ask) {
  const before = app.pushed;
  const next = await ask();
  if (next && app.pushed === before) update(next);
}

/**
 * A rejected call as copy: a UiError's i18n key with its parameters (and the technical detail, small),
 * else the text of whatever was thrown (Tauri's own string for an unknown command).
 * @param {unknown} err
 * @param {Translate} t
 */
function errorText(err, t) {
  if (err && typeof err === 'object' && 'key' in err && 'code' in err) {
    const e = /** @type {UiError} */ (err);
    const key = hasKey(`uierror.${e.key}`) ? `uierror.${e.key}` : 'uierror.internal';
    const text = t(key, e.params);
    return e.params && e.params.detail ? `${text}${t('uierror.detail', { detail: e.params.detail })}` : text;
  }
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}

/** @param {HTMLElement} root */
function makePane(root) {
  const name = root.dataset.pane || '';
  const module = PANES[name];
  const main = document.createElement('div');
  main.className = 'pane-main';
  const toast = document.createElement('div');
  toast.className = 'pane-toast';
  toast.dataset.testid = `${name}-toast`;
  toast.setAttribute('role', 'alert');
  toast.hidden = true;
  root.replaceChildren(main, toast);

  /** @type {{ name: string, module: PaneModule, root: HTMLElement, main: HTMLElement, toast: HTMLElement, lang: 'ja' | 'en', local: Record<string, any>, patient: Record<string, any>, toastTimer?: any, ctx?: () => Ctx }} */
  const pane = { name, module, root, main, toast, lang: 'ja', local: {}, patient: {} };
  const flash = (message, kind = 'error') => {
    toast.textContent = message;
    toast.className = `pane-toast ${kind}`;
    toast.hidden = false;
    clearTimeout(pane.toastTimer);
    pane.toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
  };
  /** @returns {Ctx} */
  pane.ctx = () => ({
    lang: pane.lang,
    t: makeT(pane.lang),
    fmtDate: (iso) => formatDate(iso, pane.lang),
    info: app.info,
    local: pane.local,
    patient: pane.patient,
    flash,
    setLang: (lang) => { pane.lang = lang; render(pane); },
    rerender: () => render(pane),
    readerReady: app.readerReady,
    refreshInfo,
    /** Send a UserInput; the answer is the next snapshot. */
    send: async (input) => {
      try {
        await reply(() => backend.send(input));
      } catch (e) {
        flash(errorText(e, makeT(pane.lang)));
      }
    },
    /** Call a staff / trainer command. Errors are shown in the pane and resolve to `undefined`
     *  (a command returning unit resolves to null, so callers test `!== undefined`). */
    call: async (name, ...args) => {
      try {
        return await backend.call(name, ...args);
      } catch (e) {
        flash(errorText(e, makeT(pane.lang)));
        return undefined;
      }
    },
  });
  return pane;
}

function render(pane) {
  if (!app.snapshot) return;
  pane.root.lang = pane.lang;
  pane.module.render(pane.main, app.snapshot, pane.ctx());
}

/**
 * Between patients: when the flow lets go of a patient (`snapshot.patient` changed) every pane's per-patient
 * memory empties, and the reader is back in 日本語 whenever it returns to the start screen (a certified reader
 * does the same; the next patient chooses English again if they need it).
 * @param {Snapshot | null} before
 * @param {Snapshot} next
 */
function betweenPatients(before, next) {
  const newPatient = !before || before.patient !== next.patient;
  const [was] = screenOf(before);
  const [now] = screenOf(next);
  for (const p of app.panes) {
    if (newPatient) p.patient = {};
    if (p.name === 'reader' && now === 'WaitingForCard' && was !== 'WaitingForCard') p.lang = 'ja';
  }
}

function update(snapshot) {
  betweenPatients(app.snapshot, snapshot);
  app.snapshot = snapshot;
  for (const p of app.panes) render(p);
  // Only a window with the patient's reader screen may use the camera.
  if (app.panes.some((p) => p.name === 'reader')) camera.follow(snapshot).catch((e) => console.warn('camera', e));
}

async function refreshInfo() {
  try {
    Object.assign(app.info, (await backend.call('app_info')) || {});
  } catch (e) {
    console.warn('app_info failed', e);
  }
  for (const p of app.panes) render(p);
}

async function boot() {
  app.panes = [...document.querySelectorAll('[data-pane]')]
    .map((r) => /** @type {HTMLElement} */ (r))
    .filter((r) => PANES[r.dataset.pane || '']).map(makePane);
  // Live: whether the card reader can read a card, so the patient is not invited to place one in vain. The
  // listener goes first and app_info gives the starting value (a push sent before the page listened is lost).
  let heard = false;
  await backend.on('reader-ready', (ready) => {
    heard = true;
    const now = ready !== false;
    if (now === app.readerReady) return;
    app.readerReady = now;
    for (const p of app.panes) render(p);
  });
  try {
    app.info = (await backend.call('app_info')) || app.info;
  } catch (e) {
    console.warn('app_info failed', e);
  }
  if (!heard && app.info.reader_ready === false) app.readerReady = false;
  document.body.dataset.mode = app.info.mode;
  await backend.onSnapshot((s) => { app.pushed += 1; update(s); });
  await reply(() => backend.snapshot());
}

boot().catch((e) => {
  document.body.dataset.bootError = errorText(e, makeT('ja'));
  console.error(e);
});
