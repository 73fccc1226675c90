// Bootstrap: finds the panes on the page (data-pane="reader|staff|trainer"), reads app_info and the
// first snapshot, subscribes to pushed snapshots and re-renders every pane. Each pane has its own
// language (the reader may be in English while staff work in Japanese). No flow logic here.

import * as backend from './backend.js';
import { makeT } from './i18n/index.js';
import { formatDate } from './format.js';
import * as reader from './screens/reader.js';
import * as staff from './screens/staff.js';
import * as trainer from './screens/trainer.js';

const PANES = { reader, staff, trainer };

const app = {
  snapshot: null,
  info: { mode: 'training' },
  panes: [],
};

function errorText(err) {
  if (err && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}

function makePane(root) {
  const name = root.dataset.pane;
  const module = PANES[name];
  const main = document.createElement('div');
  main.className = 'pane-main';
  const toast = document.createElement('div');
  toast.className = 'pane-toast';
  toast.dataset.testid = `${name}-toast`;
  toast.setAttribute('role', 'alert');
  toast.hidden = true;
  root.replaceChildren(main, toast);

  const pane = { name, module, root, main, toast, lang: 'ja', local: {} };
  const flash = (message, kind = 'error') => {
    toast.textContent = message;
    toast.className = `pane-toast ${kind}`;
    toast.hidden = false;
    clearTimeout(pane.toastTimer);
    pane.toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
  };
  pane.ctx = () => ({
    lang: pane.lang,
    t: makeT(pane.lang),
    fmtDate: (iso) => formatDate(iso, pane.lang),
    info: app.info,
    local: pane.local,
    flash,
    setLang: (lang) => { pane.lang = lang; render(pane); },
    rerender: () => render(pane),
    /** Send a UserInput; the answer is the next snapshot. */
    send: async (input) => {
      try {
        const next = await backend.send(input);
        if (next) update(next);
      } catch (e) {
        flash(errorText(e));
      }
    },
    /** Call a staff / trainer command. Errors are shown in the pane and resolve to `undefined`
     *  (a command returning unit resolves to null, so callers test `!== undefined`). */
    call: async (name, args = {}) => {
      try {
        return await backend.call(name, args);
      } catch (e) {
        flash(errorText(e));
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

function update(snapshot) {
  app.snapshot = snapshot;
  for (const p of app.panes) render(p);
}

async function boot() {
  app.panes = [...document.querySelectorAll('[data-pane]')].filter((r) => PANES[r.dataset.pane]).map(makePane);
  try {
    app.info = (await backend.call('app_info')) || app.info;
  } catch (e) {
    console.warn('app_info failed', e);
  }
  document.body.dataset.mode = app.info.mode;
  await backend.onSnapshot(update);
  update(await backend.snapshot());
}

boot().catch((e) => {
  document.body.dataset.bootError = errorText(e);
  console.error(e);
});
