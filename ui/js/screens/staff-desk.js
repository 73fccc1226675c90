// 機器の状態 (#16 §2): what the desk needs working — card reader and pcscd, how eligibility is checked (the
// 資格確認端末's folders, with the last 一件照会 and its latency), face models, database, version — and the
// certified reader's results as they came in. Always shown in live mode; in training behind a button.
// Rows are app::DeskStatus as the contract declares it.

import { h } from '../dom.js';
import { formatMoment } from '../format.js';
import { button, sendStaff } from './staff-forms.js';

/**
 * Ask desk_status every 2 s (a stopped pcscd, an unplugged reader, a folder gone show at once); re-render only on
 * a change. `local.reader` keeps the reader part for the status line.
 * @param {import('../app.js').Ctx} ctx
 */
export function watch(ctx) {
  const local = ctx.local;
  if (local.deskWatch) return;
  const ask = async () => {
    const res = await ctx.call('desk_status');
    if (!res) return;
    const next = JSON.stringify(res);
    if (next !== local.deskSig) {
      local.deskSig = next;
      local.desk = res;
      local.reader = { state: res.reader.state, reader: res.reader.reader };
      local.deskVersion = (local.deskVersion || 0) + 1;
      ctx.rerender();
    }
  };
  local.deskWatch = setInterval(ask, 2000);
  ask();
}

/**
 * What to do before patients can be received (empty when ready).
 * @param {import('../app.js').Ctx} ctx
 */
export function todo(ctx) {
  const d = ctx.local.desk;
  return d ? d.todo : [];
}

/**
 * @param {import('../app.js').Ctx} ctx
 * @param {string} kind
 * @param {import('../contract/app/FolderState').FolderState | null} f
 */
function folderRow(ctx, kind, f) {
  const { t } = ctx;
  if (!f) return null;
  return h('li', { testid: `staff-desk-folder-${kind}`, dataset: { ok: String(f.writable) } },
    h('span', { class: 'field-label' }, t(`desk.folder.${kind}`)),
    h('code', {}, f.path), ' ',
    h('span', { class: ['pill', f.writable ? 'ok' : 'warn'] }, t(f.writable ? 'desk.folder.ok' : 'desk.folder.bad')),
    f.problem ? h('div', { class: 'small muted' }, f.problem) : null);
}

/**
 * The panel (live: always; training: when opened).
 * @param {import('../app.js').Ctx} ctx
 * @param {(kind: string) => boolean} can
 */
export function panel(ctx, can) {
  const { t, lang } = ctx;
  const d = ctx.local.desk;
  const live = ctx.info.mode === 'live';
  if (!d) return null;
  if (!live && !ctx.local.deskOpen) {
    return h('div', { class: 'button-row' },
      button('staff-desk-toggle', t('desk.open'), () => { ctx.local.deskOpen = true; ctx.rerender(); }, 'ghost small'));
  }
  const mb = (n) => (n / (1024 * 1024)).toFixed(1);
  const term = d.terminal;
  const rest = d.todo.filter((k) => !k.startsWith('reader_'));
  return h('section', { class: 'card desk', testid: 'staff-desk-panel' },
    h('header', { class: 'card-head' },
      h('h3', {}, t('desk.title')),
      live ? null : button('staff-desk-toggle', t('desk.close'), () => { ctx.local.deskOpen = false; ctx.rerender(); }, 'ghost small')),
    // The reader's own line above says what to do about the reader; the rest is said here.
    rest.length
      ? h('ul', { class: 'desk-todo', role: 'alert', testid: 'staff-desk-todo' },
        rest.map((k) => h('li', { class: 'rule-hint warn', testid: `staff-desk-todo-${k}` }, t(`desk.todo.${k}`))))
      : d.todo.length ? null : h('p', { class: 'small ok', testid: 'staff-desk-ready' }, t('desk.ready')),
    h('ul', { class: 'desk-rows' },
      h('li', { testid: 'staff-desk-reader', dataset: { state: d.reader.state } },
        h('span', { class: 'field-label' }, t('desk.reader')), d.reader.reader || '—', ' · ', t(`staff.reader_state.${d.reader.state}`)),
      h('li', { testid: 'staff-desk-eligibility', dataset: { path: d.eligibility } },
        h('span', { class: 'field-label' }, t('desk.eligibility')), t(`desk.path.${d.eligibility}`),
        d.eligibility === 'service' || d.eligibility === 'training_mock' ? h('span', { class: 'small muted' }, ' ', d.endpoint) : null),
      term ? folderRow(ctx, 'request', term.request) : null,
      term ? folderRow(ctx, 'result', term.result) : null,
      term ? folderRow(ctx, 'face', term.face) : null,
      term ? h('li', { testid: 'staff-desk-last', dataset: { outcome: term.last ? term.last.outcome : 'none' } },
        h('span', { class: 'field-label' }, t('desk.last')),
        term.last
          ? [t(`desk.outcome.${term.last.outcome}`), ' · ', t('desk.latency', { ms: term.last.latency_ms }), ' · ', formatMoment(term.last.at, lang),
            term.last.detail ? h('div', { class: 'small muted' }, term.last.detail) : null]
          : t('desk.last_none')) : null,
      h('li', { testid: 'staff-desk-face-model', dataset: { state: d.face_model.state } },
        h('span', { class: 'field-label' }, t('desk.face_model')), t(`desk.model.${d.face_model.state}`),
        d.face_model.state === 'loaded' && d.face_model.load_ms !== null ? h('span', { class: 'small muted' }, ' ', t('desk.loaded_in', { ms: d.face_model.load_ms })) : null,
        d.face_model.detail ? h('div', { class: 'small muted', testid: 'staff-desk-face-model-detail' }, d.face_model.detail) : null),
      h('li', { testid: 'staff-desk-database' },
        h('span', { class: 'field-label' }, t('desk.database')), h('code', {}, d.database.path), ' ',
        d.database.bytes === null
          ? h('span', { class: 'small muted', testid: 'staff-desk-database-server', dataset: { online: String(d.database.online) } },
            t('desk.database_server'), ' · ',
            d.database.online ? h('span', { class: 'pill ok' }, t('desk.database_online')) : h('span', { class: 'pill warn' }, t('desk.database_offline')),
            d.database.waiting > 0 ? h('span', { class: 'pill warn', testid: 'staff-desk-database-waiting' }, t('desk.database_waiting', { n: d.database.waiting })) : null,
            d.database.held > 0 ? h('span', { class: 'pill warn', testid: 'staff-desk-database-held' }, t('desk.database_held', { n: d.database.held })) : null,
            d.database.held_reason ? h('div', { class: 'small muted', testid: 'staff-desk-database-held-reason' }, t('desk.database_held_reason', { reason: d.database.held_reason })) : null)
          : h('span', { class: 'small muted' }, t('desk.size', { mb: mb(d.database.bytes) }), ' · ',
            d.database.last_backup ? t('desk.backup', { path: d.database.last_backup }) : t('desk.no_backup'))),
      h('li', { testid: 'staff-desk-version' }, h('span', { class: 'field-label' }, t('desk.version')), d.version)),
    d.certified_reader.length ? certified(ctx, d.certified_reader, can) : null);
}

/**
 * The certified reader's results, newest first; 資格なし / errors offer the fallback wizard.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/app/CertifiedReaderResult').CertifiedReaderResult[]} lines
 * @param {(kind: string) => boolean} can
 */
function certified(ctx, lines, can) {
  const { t, lang } = ctx;
  const rows = lines.map((l, i) => ({ l, i })).reverse();
  return h('div', { class: 'desk-certified', testid: 'staff-desk-certified' },
    h('h4', {}, t('desk.certified.title')),
    h('ul', {}, rows.map(({ l, i }) => h('li', { testid: `staff-certified-${i}`, dataset: { outcome: l.outcome } },
      formatMoment(l.at, lang), ' ', l.name || '—', ' ',
      h('span', { class: ['pill', l.outcome === 'received' ? 'ok' : 'warn'] },
        l.outcome === 'received' ? t('desk.certified.received') : t(`desk.certified.problem.${l.problem}`)),
      l.outcome === 'needs_desk' && can('OpenFallback')
        ? button(`staff-certified-fallback-${i}`, t('staff.status.open_fallback'), async () => {
          // Classified as the certified reader answered, so the wizard opens at the first step that applies.
          await sendStaff(ctx, null, 'OpenFallback');
          if (l.classified) await sendStaff(ctx, null, { ClassifyProblem: l.classified });
        }, 'secondary small')
        : null))));
}
