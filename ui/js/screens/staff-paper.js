// Paper documents entered by staff (書類入力): 資格確認書, legacy 健康保険証, 資格情報のお知らせ /
// マイナポータル PDF (with or without the card), and school trip / nursery with the chaperone's name.
// Builds the PaperDocument JSON of reception::paper and sends StaffAction::PresentPaper; the flow
// decides accept / online check / refuse (rules table) and reports field errors in snapshot.validation.

import { h } from '../dom.js';
import { screenOf } from '../view.js';
import { form, input, checkbox, segmented, button, numberFields, numbersOf, EMPTY_NUMBERS, sendStaff, shareField } from './staff-forms.js';

const INIT = {
  kind: 'QualificationCertificate',
  numbers: { ...EMPTY_NUMBERS },
  cert: { dependant: false, name: '', sex: 'Unstated', recognized_on: '', insured_person_name: '', issued_on: '', valid_until: '', insurer_name: '', copay_percent: null, limit_class: '' },
  legacy: { valid_until: '', elderly_copay_percent: null },
  notice: { kind: 'Notice', with_card: false, name: '', copay_percent: null },
  group: { setting: 'SchoolTrip', kind: 'PortalPdf', chaperone_name: '', copay_percent: null },
};

const KINDS = [
  ['QualificationCertificate', 'paper-kind-certificate'],
  ['LegacyCard', 'paper-kind-legacy'],
  ['Notice', 'paper-kind-notice'],
  ['Group', 'paper-kind-group'],
];

/** The PaperDocument JSON for the form. */
export function paperDocument(f) {
  const numbers = numbersOf(f.numbers);
  switch (f.kind) {
    case 'QualificationCertificate': {
      const c = f.cert;
      return {
        QualificationCertificate: {
          numbers, dependant: !!c.dependant, name: c.name.trim(), sex: c.sex, recognized_on: c.recognized_on,
          insured_person_name: c.insured_person_name.trim(), issued_on: c.issued_on, valid_until: c.valid_until,
          insurer_name: c.insurer_name.trim(), copay_percent: c.copay_percent,
          limit_class: c.limit_class.trim() === '' ? null : c.limit_class.trim(),
        },
      };
    }
    case 'LegacyCard':
      return { LegacyCard: { numbers, valid_until: f.legacy.valid_until, elderly_copay_percent: f.legacy.elderly_copay_percent } };
    case 'Notice':
      return { Notice: { kind: f.notice.kind, numbers, with_card: !!f.notice.with_card, name: f.notice.name.trim(), copay_percent: f.notice.copay_percent } };
    default:
      return { Group: { setting: f.group.setting, kind: f.group.kind, numbers, chaperone_name: f.group.chaperone_name.trim(), copay_percent: f.group.copay_percent } };
  }
}

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const f = form(ctx, 'paper', INIT);
  const F = 'paper';
  const redraw = () => { ctx.local.formVersion = (ctx.local.formVersion || 0) + 1; ctx.rerender(); };
  const [screen] = screenOf(snap);
  const usable = ['WaitingForCard', 'Fallback', 'Error'].includes(screen);
  const i = (obj, key, field, extra = {}) => input(ctx, snap, obj, key, {
    testid: `paper-${key.replace(/_/g, '-')}`, label: t(`field.${key}`), fields: field ? [field] : [], formName: F, ...extra,
  });

  // 一部負担金の割合 as printed: never a default (a paper-only patient's share is what the paper says, #12 §2).
  const share = (obj, key, testid, label, hint) => shareField(ctx, snap, obj, key, { testid, label, hint, formName: F, unprinted: true });

  let specific;
  switch (f.kind) {
    case 'QualificationCertificate': {
      const c = f.cert;
      specific = [
        i(c, 'name', 'Name'),
        segmented(c, 'sex', [['Male', t('sex.Male'), 'paper-sex-male'], ['Female', t('sex.Female'), 'paper-sex-female'], ['Unstated', t('sex.Unstated'), 'paper-sex-unstated']], null, t('field.sex')),
        segmented(c, 'dependant', [[false, t('relationship.Insured'), 'paper-relationship-insured'], [true, t('relationship.Dependant'), 'paper-relationship-dependant']], null, t('staff.eligibility.relationship')),
        i(c, 'insured_person_name', null),
        i(c, 'recognized_on', 'Date', { type: 'date' }),
        i(c, 'issued_on', 'IssuedOn', { type: 'date' }),
        i(c, 'valid_until', 'ValidUntil', { type: 'date' }),
        i(c, 'insurer_name', 'InsurerName'),
        share(c, 'copay_percent', 'paper-copay', t('field.copay_percent'), t('field.copay_percent_hint')),
        i(c, 'limit_class', null),
      ];
      break;
    }
    case 'LegacyCard':
      specific = [
        i(f.legacy, 'valid_until', 'ValidUntil', { type: 'date', hint: t('paper.legacy.no_expiry_hint') }),
        share(f.legacy, 'elderly_copay_percent', 'paper-elderly-copay', t('field.elderly_copay_percent'), t('field.elderly_copay_percent_hint')),
      ];
      break;
    case 'Notice':
      specific = [
        // A row of its own: the two long labels do not fit a grid cell (they ran over the 氏名 field).
        h('div', { class: 'field wide' }, segmented(f.notice, 'kind', [['Notice', t('doc.Notice'), 'paper-doc-notice'], ['PortalPdf', t('doc.PortalPdf'), 'paper-doc-pdf']], null, t('fallback.notice.kind'))),
        i(f.notice, 'name', null, { hint: t('fallback.notice.name_hint') }),
        share(f.notice, 'copay_percent', 'paper-notice-copay', t('field.notice_copay_percent'), t('field.notice_copay_percent_hint')),
        checkbox(ctx, snap, f.notice, 'with_card', { testid: 'paper-with-card', label: t('fallback.notice.with_card'), wide: true }),
      ];
      break;
    default:
      specific = [
        segmented(f.group, 'setting', [['SchoolTrip', t('group.SchoolTrip'), 'paper-group-school-trip'], ['Nursery', t('group.Nursery'), 'paper-group-nursery']], null, t('paper.group.setting')),
        h('div', { class: 'field wide' }, segmented(f.group, 'kind', [['PortalPdf', t('doc.PortalPdf'), 'paper-doc-pdf'], ['Notice', t('doc.Notice'), 'paper-doc-notice']], null, t('fallback.notice.kind'))),
        i(f.group, 'chaperone_name', 'ChaperoneName'),
        share(f.group, 'copay_percent', 'paper-group-copay', t('field.notice_copay_percent'), t('field.notice_copay_percent_hint')),
      ];
  }

  root.appendChild(h('section', { class: 'card paper', testid: 'paper-form', dataset: { kind: f.kind } },
    h('header', { class: 'card-head' }, h('h3', {}, t('paper.title'))),
    h('div', { class: 'segmented-wrap' },
      h('div', { class: 'segmented tabs-like', role: 'tablist' },
        KINDS.map(([k, testid]) => h('button', {
          type: 'button', role: 'tab', testid, class: f.kind === k ? 'on' : '', 'aria-selected': String(f.kind === k),
          on: { click: () => { f.kind = k; redraw(); } },
        }, t(`paper.kind.${k}`))))),
    h('p', { class: 'muted small' }, t(`paper.help.${f.kind}`)),
    h('div', { class: 'form-grid' }, numberFields(ctx, snap, f.numbers, 'paper', F), specific),
    usable ? null : h('p', { class: 'warn small', testid: 'paper-not-now' }, t('paper.not_now')),
    h('div', { class: 'button-row' },
      button('paper-submit', t('paper.submit'), () => sendStaff(ctx, F, { PresentPaper: paperDocument(f) })))));
}
