// The staff console (職員用): live reader status, 目視確認 switch and panel, operator, eligibility with
// consent badges, the fallback wizard, paper documents, today's list, patient search, CSV export,
// settings and the hotline sheet. Sections re-render only when their inputs change (keyed), so
// typing in a form survives the snapshots streaming in.

import { elapsedOf } from './reader-progress.js';
import { h, mount, keyed } from '../dom.js';
import { screenOf, errorKey, kebab } from '../view.js';
import { hasKey } from '../i18n/index.js';
import { paneHeader, noticeBanners } from './common.js';
import { button, sendStaff } from './staff-forms.js';
import { eligibilityCard, consentBadges } from './staff-eligibility.js';
import * as fallback from './staff-fallback.js';
import * as paper from './staff-paper.js';
import * as today from './staff-today.js';
import * as search from './staff-search.js';
import * as exporter from './staff-export.js';
import * as settings from './staff-settings.js';
import * as desk from './staff-desk.js';
import { on } from '../backend.js';

const TABS = ['reception', 'paper', 'today', 'search', 'export', 'settings'];
/** @type {[import('../contract/commands').Operator, string][]} */
const OPERATORS = [['Patient', 'patient'], ['Proxy', 'proxy'], ['StaffAssisted', 'staff']];

/**
 * @param {HTMLElement} root
 */
function skeleton(root) {
  if (root.querySelector(':scope > .staff-console')) return root.querySelector(':scope > .staff-console');
  const parts = ['header', 'tabs', 'content', 'overlay'].map((p) => h('div', { class: `staff-${p}` }));
  const console_ = h('div', { class: 'staff-console', screen: 'StaffConsole', testid: 'staff-root' }, parts);
  mount(root, console_);
  return console_;
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t, lang, local } = ctx;
  const el = skeleton(root);
  const [header, tabs, content, overlay] = el.children;
  const [screen, data] = screenOf(snap);
  local.tab ||= 'reception';
  el.dataset.readerScreen = screen || '';
  // The reception on the reader is written (取消 is offered only then); the e2e suite waits on it.
  el.dataset.receptionSaved = String(snap.staff_actions.includes('VoidReception'));

  // Side effects tied to what the flow did: fetch the card photo when 目視 starts (never stored; dropped when
  // the check ends). Today's list reloads on `today-changed`, sent once a reception is saved: 受付完了 shows
  // while the save is still on its way, so reloading on entering it could miss the row.
  keepResult(ctx, snap, screen, data);
  const sig = JSON.stringify(snap.screen);
  if (sig !== local.lastScreen) {
    const entering = local.lastScreen !== undefined;
    local.lastScreen = sig;
    if (!entering) today.load(ctx);
    if (screen === 'VisualCheck') loadPhoto(ctx);
    else if (local.photo) { local.photo = null; local.photoVersion = (local.photoVersion || 0) + 1; }
  }

  // 「他人の情報が表示された」 opens the hotline sheet; voiding the reception is a separate, explicit button (in the
  // result card and on the sheet), since a void cannot be undone (#12 §4).
  const canVoid = snap.staff_actions.includes('VoidReception');
  keyed(header, JSON.stringify([lang, ctx.info.mode, screen, snap.mode]), (r) => r.appendChild(
    paneHeader(ctx, 'staff', t('staff.header'),
      h('span', { class: ['pill', `reader-${kebab(snap.mode)}`], testid: 'staff-reader-mode' }, t(`readermode.${snap.mode}`)),
      button('staff-hotline-open', t('staff.hotline.open'), () => sendStaff(ctx, null, { Hotline: true }), 'ghost small'))));

  if (header.offsetHeight) el.style.setProperty('--staff-header-h', `${header.offsetHeight}px`);
  keyed(tabs, JSON.stringify([lang, local.tab]), (r) => r.appendChild(
    h('nav', { class: 'tabs', role: 'tablist' }, TABS.map((k) => h('button', {
      type: 'button', role: 'tab', class: local.tab === k ? 'on' : '', testid: `staff-tab-${k}`, 'aria-selected': String(local.tab === k),
      on: { click: () => { local.tab = k; if (k === 'today') today.load(ctx); if (k === 'settings') settings.load(ctx); ctx.rerender(); } },
    }, t(`staff.tab.${k}`))))));

  desk.watch(ctx);
  if (!local.todayListen) {
    // A reception saved or voided at this desk, or a certified reader's result taken in.
    local.todayListen = true;
    on('today-changed', () => today.load(ctx));
  }
  const tab = local.tab;
  const formKey = local.formVersion || 0;
  const contentKey = tab === 'reception'
    ? [snap, local.photoVersion, formKey, ctx.patient.pdfPath, ctx.patient.confirmNext, local.result && local.result.patient, local.resultPdf, local.deskVersion, local.deskOpen]
    : tab === 'paper' ? [screen, snap.validation, formKey]
      : tab === 'today' ? [local.todayVersion, local.todayFilter]
        : tab === 'search' ? [local.searchVersion]
          : tab === 'export' ? [local.exportVersion]
            : [local.settingsVersion];
  keyed(content, JSON.stringify([lang, tab, contentKey, ctx.info.today]), (r) => {
    r.dataset.tab = tab;
    if (tab === 'reception') reception(r, snap, ctx, screen, data);
    else if (tab === 'paper') paper.render(r, snap, ctx);
    else if (tab === 'today') today.render(r, snap, ctx);
    else if (tab === 'search') search.render(r, snap, ctx);
    else if (tab === 'export') exporter.render(r, snap, ctx);
    else settings.render(r, snap, ctx);
  });

  keyed(overlay, JSON.stringify([lang, snap.hotline, canVoid]), (r) => {
    if (snap.hotline) r.appendChild(hotlineSheet(ctx, snap.hotline, canVoid));
  });
}

/**
 * The reader's state beside the reader screen, and what to do when it cannot read a card.
 * @param {import('../app.js').Ctx} ctx
 */
function readerState(ctx) {
  const r = ctx.local.reader;
  if (!r) return [null, null];
  const ready = r.state === 'ready' || r.state === 'card_present';
  return [
    h('span', { class: ['pill', ready ? 'ok' : 'warn'], testid: 'staff-reader-state', dataset: { state: r.state } },
      ctx.t(`staff.reader_state.${r.state}`)),
    ready ? null : h('p', { class: 'rule-hint warn', role: 'alert', testid: 'staff-reader-todo' },
      ctx.t(r.reader || r.state === 'service_down' ? `staff.reader_todo.${r.state}` : 'staff.reader_todo.none')),
  ];
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
async function loadPhoto(ctx) {
  const res = await ctx.call('card_photo');
  ctx.local.photo = res && res.data_url ? res : null;
  ctx.local.photoVersion = (ctx.local.photoVersion || 0) + 1;
  ctx.rerender();
}

/**
 * The 受付 tab: status, 目視, error explanation, notices, eligibility, fallback wizard.
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
function reception(root, snap, ctx, screen, data) {
  const { t } = ctx;
  const visualOn = snap.mode === 'VisualCheck';
  const elapsed = elapsedOf(snap);
  // The flow lists what staff may do now; the console offers exactly that.
  const can = (kind) => (snap.staff_actions || []).includes(kind);
  const [readerPill, readerTodo] = readerState(ctx);
  root.appendChild(h('section', { class: 'card status', testid: 'staff-status' },
    h('div', { class: 'status-line' },
      h('span', { class: 'field-label' }, t('staff.status.reader')),
      // Live and not ready (no reader, no eligibility path): say so instead of 「カード待ち」.
      h('strong', { class: 'status-screen', testid: 'staff-reader-screen' },
        screen === 'WaitingForCard' && ctx.info.mode === 'live' && desk.todo(ctx).length ? t('desk.not_ready') : t(`screen.${screen}`)),
      readerPill,
      elapsed !== null ? h('span', { class: 'pill busy', testid: 'staff-query-elapsed' }, t('staff.status.elapsed', { n: elapsed })) : null,
      screen === 'Completed' ? h('span', { class: ['pill', data.billing === 'FullCharge' ? 'warn' : 'ok'], testid: 'staff-completed-basis' },
        basisText(ctx, data.basis), ' · ', t(`billing.${data.billing}`)) : null),
    readerTodo,
    h('div', { class: 'status-controls' },
      h('div', { class: 'switch-wrap' },
        h('button', {
          type: 'button', role: 'switch', class: ['switch', visualOn ? 'on' : ''], 'aria-checked': String(visualOn), testid: 'staff-visual-toggle',
          on: { click: () => sendStaff(ctx, null, { SetVisualMode: !visualOn }) },
        }, h('span', { class: 'knob' })),
        h('span', {}, t('staff.visual.switch'), h('span', { class: 'small muted' }, ' ', t(visualOn ? 'readermode.VisualCheck' : 'readermode.Unattended')))),
      h('div', { class: 'segmented-wrap' },
        h('span', { class: 'field-label' }, t('staff.operator.label')),
        h('div', { class: 'segmented', role: 'radiogroup' }, OPERATORS.map(([op, id]) => h('button', {
          type: 'button', role: 'radio', testid: `staff-operator-${id}`, class: snap.operator === op ? 'on' : '', 'aria-checked': String(snap.operator === op),
          on: { click: () => sendStaff(ctx, null, { SetOperator: op }) },
        }, t(`operator.${op}`)))))),
    h('div', { class: 'button-row split' },
      h('div', { class: 'button-group' },
        can('CancelQuery') ? button('staff-query-cancel', t('staff.status.cancel_query'), () => sendStaff(ctx, null, 'CancelQuery'), 'danger') : null,
        can('OpenFallback') && screen !== 'Querying' ? button('staff-open-fallback', t('staff.status.open_fallback'), () => sendStaff(ctx, null, 'OpenFallback'), 'secondary') : null,
        screen === 'Completed' && data.basis === 'Declaration' ? fallback.pdfButton(ctx) : null),
      // 次の患者へ has its own place at the far end, so no button turns into it under the cursor; ending a
      // reception that is not complete asks first.
      h('div', { class: 'button-group end' }, can('NextPatient') ? nextPatient(ctx, screen) : null))));

  root.appendChild(desk.panel(ctx, can) || h('span'));
  if (screen === 'Completed' || screen === 'RemoveCard' || (keptResult(ctx) && screen === 'WaitingForCard')) {
    root.appendChild(resultCard(ctx, snap, screen));
  }
  if (screen === 'VisualCheck' || visualOn) root.appendChild(visualPanel(ctx, screen));
  if (screen === 'Error') {
    const k = errorKey(data && data.code);
    root.appendChild(h('section', { class: 'card error', testid: 'staff-error' },
      h('h3', {}, t('staff.error.title')),
      h('p', {}, hasKey(`error.staff.${k}`) ? t(`error.staff.${k}`) : t('error.staff.Unknown')),
      h('p', { class: 'muted small' }, t('staff.error.next')),
      // The code is for a support call, not for the desk: small, after the words.
      h('p', { class: 'muted tiny' }, t('staff.error.code'), h('code', { testid: 'staff-error-code' }, k))));
  }
  const notes = noticeBanners(ctx, snap, 'staff');
  if (notes) root.appendChild(notes);
  const elig = eligibilityCard(ctx, snap.eligibility, snap.consent, snap.consent_valid);
  if (elig) root.appendChild(elig);
  else if (snap.consent) {
    root.appendChild(h('section', { class: 'card consent', testid: 'staff-consent-card' },
      h('header', { class: 'card-head' }, h('h3', {}, t('staff.consent.title'))),
      consentBadges(ctx, snap.consent, snap.consent_valid, 'staff-consent')));
  }
  if (snap.fallback) fallback.render(root, snap, ctx);
}

/** @param {import('../app.js').Ctx} ctx */
function keptResult(ctx) {
  return ctx.local.result || null;
}

/**
 * The result of the last completed reception stays on the console after the patient took the card (as on
 * a 資格確認端末) until the reader starts on the next patient or staff close it. Kept in the pane's own
 * memory, with a copy of the 申立書 form so its PDF can still be made.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
function keepResult(ctx, snap, screen, data) {
  const local = ctx.local;
  if (screen === 'Completed') {
    if (!local.result || local.result.patient !== snap.patient) local.resultPdf = null;
    const decl = ctx.patient.forms && ctx.patient.forms.declaration;
    local.result = {
      patient: snap.patient, basis: data.basis, billing: data.billing, identity: snap.identity, operator: snap.operator,
      eligibility: snap.eligibility, consent: snap.consent, consent_valid: snap.consent_valid,
      declaration: data.basis === 'Declaration' && decl ? JSON.parse(JSON.stringify(decl)) : null,
    };
  } else if (local.result && !['WaitingForCard', 'RemoveCard'].includes(screen || '')) {
    local.result = null;
    local.resultPdf = null;
  }
}

/**
 * 受付結果: how identity was confirmed, on what basis, and — once the card is gone — the eligibility as it
 * was shown, with the 申立書 PDF and 閉じる.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
function resultCard(ctx, snap, screen) {
  const { t } = ctx;
  const r = ctx.local.result;
  // While the reader still shows the result (受付完了 / カードをお取りください) the snapshot has it too.
  const live = screen === 'Completed' || screen === 'RemoveCard';
  const identity = live ? snap.identity : r && r.identity;
  const operator = live ? snap.operator : r && r.operator;
  const how = identity ? `${t(`method.${identity}`)}（${t(`operator.${operator}`)}）` : t('staff.result.no_identity');
  const saved = live && snap.staff_actions.includes('VoidReception');
  return h('section', { class: ['card', 'result', live ? '' : 'kept'], testid: 'staff-result' },
    h('header', { class: 'card-head' },
      h('h3', {}, t(live ? 'staff.result.title' : 'staff.result.kept_title')),
      live ? null : button('staff-result-close', t('common.close'), () => { ctx.local.result = null; ctx.rerender(); }, 'ghost small')),
    h('dl', { class: 'kv-grid' },
      h('div', { class: 'kv' }, h('dt', {}, t('staff.result.identity')), h('dd', { testid: 'staff-result-identity' }, how)),
      r ? h('div', { class: 'kv' }, h('dt', {}, t('staff.result.basis')), h('dd', { testid: 'staff-result-basis' },
        basisText(ctx, r.basis), ' · ', t(`billing.${r.billing}`))) : null,
      // Who declared and the share they declared: what the desk bills by (S000 2-38).
      r && r.declaration ? h('div', { class: 'kv' }, h('dt', {}, t('staff.result.declared')), h('dd', { testid: 'staff-result-declared' },
        r.declaration.name, r.declaration.copay_percent ? `・${t(`copay.${r.declaration.copay_percent}`)}` : '')) : null,
      // 受付完了 shows while the save is on its way; 取消 (and this line's 保存しました) only once it is written.
      live ? h('div', { class: 'kv' }, h('dt', {}, t('staff.result.record')),
        h('dd', { testid: 'staff-result-record', 'data-saved': String(saved) }, t(saved ? 'staff.result.recorded' : 'staff.result.recording'))) : null),
    saved
      ? h('div', { class: 'button-row' },
        button('staff-void-other-person', t('staff.result.void_other_person'), () => sendStaff(ctx, null, { VoidReception: 'OtherPersonsData' }), 'danger small'),
        h('span', { class: 'small muted' }, t('staff.result.void_hint')))
      : null,
    !live && r && r.eligibility ? eligibilityCard(ctx, r.eligibility, r.consent, r.consent_valid, 'staff-result-eligibility') : null,
    !live && r && r.declaration ? fallback.pdfButton(ctx, r.declaration) : null);
}

/**
 * 次の患者へ: at once after 受付完了; otherwise a confirmation first (the reception in progress is ended and
 * nothing of it is saved).
 * @param {import('../app.js').Ctx} ctx
 * @param {string | null} screen
 */
function nextPatient(ctx, screen) {
  const { t } = ctx;
  const go = () => { ctx.patient.confirmNext = false; sendStaff(ctx, null, 'NextPatient'); };
  if (screen === 'Completed' || screen === 'RemoveCard') return button('staff-next-patient', t('staff.status.next_patient'), go, 'secondary');
  if (!ctx.patient.confirmNext) {
    return button('staff-next-patient', t('staff.status.next_patient'), () => { ctx.patient.confirmNext = true; ctx.rerender(); }, 'secondary');
  }
  return h('span', { class: 'confirm', role: 'alertdialog', testid: 'staff-next-confirm' },
    h('span', {}, t('staff.status.next_confirm')),
    button('staff-next-confirm-yes', t('staff.status.next_confirm_yes'), go, 'danger small'),
    button('staff-next-confirm-no', t('common.no'), () => { ctx.patient.confirmNext = false; ctx.rerender(); }, 'ghost small'));
}

/**
 * 目視確認: the card photo (from card_photo, while the card is present) and the buttons.
 * @param {import('../app.js').Ctx} ctx
 */
function visualPanel(ctx, screen) {
  const { t } = ctx;
  const p = ctx.local.photo;
  const active = screen === 'VisualCheck';
  // 券面事項 to compare: text from the virtual card, PNG images (name_image / address_image) from a real card.
  const detail = (k) => (p[`${k}_image`]
    ? h('img', { src: p[`${k}_image`], alt: t(`field.${k}`), class: 'front-line' })
    : k === 'birthdate' ? ctx.fmtDate(p[k]) : p[k]);
  const details = p ? ['name', 'birthdate', 'sex', 'address'].filter((k) => p[k] || p[`${k}_image`]).map((k) => h('div', { class: 'kv' },
    h('dt', {}, t(`field.${k}`)), h('dd', { testid: `staff-visual-${k}` }, detail(k)))) : [];
  return h('section', { class: 'card visual', testid: 'staff-visual-panel' },
    h('header', { class: 'card-head' }, h('h3', {}, t('staff.visual.title'))),
    active ? h('div', { class: 'visual-body' },
      h('div', { class: 'photo-frame' }, p
        ? h('img', { src: p.data_url, alt: t('staff.visual.photo_alt'), testid: 'staff-visual-photo' })
        : h('span', { class: 'muted' }, t('staff.visual.no_photo'))),
      // Training: the person at the counter (the trainer's camera choice), to compare with the card photo.
      p && p.counter ? h('figure', { class: 'photo-frame counter' },
        h('img', { src: p.counter, alt: t('staff.visual.counter_alt'), testid: 'staff-visual-counter' }),
        h('figcaption', { class: 'small muted' }, t('staff.visual.counter'))) : null,
      h('div', { class: 'visual-side' },
        details.length ? h('dl', { class: 'kv-grid' }, details) : null,
        h('p', {}, t('staff.visual.how')),
        h('p', { class: 'muted small' }, t('staff.visual.no_reset')),
        h('div', { class: 'button-row' },
          button('staff-visual-confirm', t('staff.visual.confirm'), () => sendStaff(ctx, null, { VisualCheckResult: true }), 'positive'),
          button('staff-visual-reject', t('staff.visual.reject'), () => sendStaff(ctx, null, { VisualCheckResult: false }), 'danger'))))
      : h('p', { class: 'muted' }, t('staff.visual.waiting_card')));
}

/**
 * @param {import('../app.js').Ctx} ctx
 */
function basisText(ctx, basis) {
  const [k, d] = typeof basis === 'string' ? [basis, null] : [Object.keys(basis)[0], Object.values(basis)[0]];
  const base = ctx.t(`basis.${k}`);
  if (typeof d === 'string') return `${base}（${ctx.t(`doc.${d}`)}）`;
  if (d && d.confirmed_on) return `${base}（${ctx.fmtDate(d.confirmed_on)}）`;
  return base;
}

/**
 * Hotline sheet (another person's data shown, S000 2-28; S002 Q5).
 * @param {import('../app.js').Ctx} ctx
 */
function hotlineSheet(ctx, hotline, canVoid) {
  const { t } = ctx;
  return h('div', { class: 'sheet-backdrop' },
    h('section', { class: 'sheet', role: 'dialog', 'aria-modal': 'true', testid: 'staff-hotline-sheet' },
      h('h3', {}, t('staff.hotline.title')),
      h('p', { class: 'hotline-number', testid: 'staff-hotline-number' }, hotline.number),
      h('p', { class: 'hotline-guidance', testid: 'staff-hotline-guidance' }, t('staff.hotline.guidance', { n: hotline.guidance_option })),
      h('ul', { class: 'plain' }, h('li', {}, t('staff.hotline.when')), h('li', {}, t('staff.hotline.also_insurer')), h('li', {}, t('staff.hotline.do_not_use'))),
      h('div', { class: 'button-row' },
        canVoid ? button('staff-hotline-void', t('staff.result.void_other_person'), () => sendStaff(ctx, null, { VoidReception: 'OtherPersonsData' }), 'danger') : null,
        button('staff-hotline-close', t('common.close'), () => sendStaff(ctx, null, { Hotline: false })))));
}
