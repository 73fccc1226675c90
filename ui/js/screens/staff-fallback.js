// The fallback wizard (代替手段), driven by snapshot.fallback: the steps that apply to the classified
// problem, in order (domain.md §4(b) 1–2). The UI only shows the step the flow chose and sends the
// matching StaffAction; which steps apply and what they conclude is decided in reception::flow.

import { h } from '../dom.js';
import { kebab } from '../view.js';
import { form, input, checkbox, segmented, button, numberFields, numbersOf, EMPTY_NUMBERS, sendStaff, shareField, fileButtons } from './staff-forms.js';

/** @type {import('../contract/commands').ProblemKind[]} */
export const PROBLEMS = ['CommunicationFailure', 'PowerOutage', 'DeviceFailure', 'NoEligibilityData', 'EligibilityInvalid', 'IdentityNotConfirmed', 'CardNotUsable', 'IdentityRejected'];

const EMPTY_DECLARATION = {
  visit_date: '', filled_on: '', name: '', name_kana: '', birthdate: '', sex: 'Unstated', address: '', phone: '',
  insurance_type: 'Employee', insurer_name: '', insurer_number: '', symbol: '', number: '', branch: '', employer: '',
  dependant: false, copay_percent: null, declared_true: false, staff_note: '',
};

/**
 * @param {HTMLElement} root
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
export function render(root, snap, ctx) {
  const { t } = ctx;
  const fb = snap.fallback;
  if (!fb) return;
  const stepper = h('ol', { class: 'stepper', testid: 'fallback-steps' },
    fb.steps.map((s, i) => h('li', { class: s === fb.step ? 'current' : fb.steps.indexOf(fb.step) > i ? 'done' : '', testid: `fallback-step-${kebab(s)}` },
      h('span', { class: 'num' }, String(i + 1)), t(`fallback.step.${s}`))));
  const problems = h('div', { class: 'problem-pick' },
    h('span', { class: 'field-label' }, t('fallback.problem_label')),
    h('div', { class: 'chips' },
      PROBLEMS.map((p) => h('button', {
        type: 'button', class: ['chip', fb.problem === p ? 'on' : ''], testid: `fallback-problem-${kebab(p)}`,
        'aria-pressed': String(fb.problem === p),
        on: { click: () => sendStaff(ctx, null, { ClassifyProblem: p }) },
      }, t(`problem.${p}`)))),
    fb.problem ? h('p', { class: 'rule-hint', testid: 'fallback-rule-hint' }, t(`fallback.rule.${fb.problem}`)) : null,
    h('p', { class: 'small muted', testid: 'fallback-tip-lost-card' }, t('fallback.tip.lost_card')));

  root.appendChild(h('section', { class: 'card fallback', testid: 'fallback-wizard', dataset: { step: fb.step } },
    h('header', { class: 'card-head' }, h('h3', {}, t('fallback.title')),
      h('span', { class: ['badge', fb.card_in_reader ? 'yes' : 'no'], testid: 'fallback-card-in-reader' },
        t(fb.card_in_reader ? 'fallback.card_in' : 'fallback.card_out'))),
    stepper,
    problems,
    h('div', { class: 'step-body', testid: `fallback-body-${kebab(fb.step)}` }, stepBody(fb.step, snap, ctx)),
    h('div', { class: 'step-actions' },
      fb.step !== 'FullCharge' ? button('fallback-next', t('fallback.next'), () => sendStaff(ctx, null, 'FallbackNext'), 'secondary') : null,
      button('fallback-open-paper', t('fallback.open_paper'), () => { ctx.local.tab = 'paper'; ctx.rerender(); }, 'ghost'))));
}

/**
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
function stepBody(step, snap, ctx) {
  const { t } = ctx;
  switch (step) {
    case 'RetryOrSwitch':
      return [
        h('p', {}, t('fallback.retry.lead')),
        h('div', { class: 'button-row' },
          button('fallback-retry-reader', t('fallback.retry.reader'), () => sendStaff(ctx, null, 'RetryReader')),
          button('fallback-visual', t('fallback.retry.visual'), () => sendStaff(ctx, null, { SetVisualMode: true }), 'secondary')),
      ];
    case 'CardWithNotice': {
      const f = form(ctx, 'notice', { kind: 'Notice', with_card: false, name: '', copay_percent: null, ...EMPTY_NUMBERS });
      return [
        h('p', {}, t('fallback.notice.lead')),
        snap.fallback && !snap.fallback.online_possible
          ? h('p', { class: 'rule-hint', testid: 'fallback-notice-offline' }, t('fallback.notice.offline'))
          : null,
        segmented(f, 'kind', [['Notice', t('doc.Notice'), 'notice-kind-notice'], ['PortalPdf', t('doc.PortalPdf'), 'notice-kind-pdf']], null, t('fallback.notice.kind')),
        h('div', { class: 'form-grid' },
          input(ctx, snap, f, 'name', { testid: 'notice-name', label: t('field.name'), hint: t('fallback.notice.name_hint') }),
          numberFields(ctx, snap, f, 'notice', 'notice')),
        shareField(ctx, snap, f, 'copay_percent', { testid: 'notice-copay', label: t('field.notice_copay_percent'), hint: t('field.notice_copay_percent_hint'), formName: 'notice', unprinted: true }),
        checkbox(ctx, snap, f, 'with_card', { testid: 'notice-with-card', label: t('fallback.notice.with_card'), wide: true }),
        h('div', { class: 'button-row' },
          button('notice-submit', t('fallback.notice.submit'), () => sendStaff(ctx, 'notice', {
            PresentPaper: { Notice: { kind: f.kind, numbers: numbersOf(f), with_card: !!f.with_card, name: f.name.trim(), copay_percent: f.copay_percent } },
          }))),
      ];
    }
    case 'PreviousVisit': {
      const f = form(ctx, 'previous', { patient_id: '', kana: '', birthdate: '' });
      return [
        h('p', {}, t('fallback.previous.lead')),
        h('div', { class: 'form-grid' },
          input(ctx, snap, f, 'patient_id', { testid: 'previous-patient-id', label: t('field.patient_id') }),
          h('div', { class: 'button-cell' }, button('previous-by-id', t('fallback.previous.by_id'), () =>
            sendStaff(ctx, 'previous', { LookupPrevious: { ClinicPatientId: f.patient_id.trim() } })))),
        h('div', { class: 'form-grid' },
          input(ctx, snap, f, 'kana', { testid: 'previous-kana', label: t('field.name_kana') }),
          input(ctx, snap, f, 'birthdate', { testid: 'previous-birthdate', label: t('field.birthdate'), type: 'date' }),
          h('div', { class: 'button-cell' }, button('previous-by-kana', t('fallback.previous.by_kana'), () =>
            sendStaff(ctx, 'previous', { LookupPrevious: { KanaAndBirthdate: { kana: f.kana.trim(), birthdate: f.birthdate } } })))),
      ];
    }
    case 'Declaration':
      return declarationForm(snap, ctx);
    case 'FullCharge':
      return [
        h('p', { class: 'warn' }, t('fallback.full.lead')),
        h('ul', { class: 'plain' }, h('li', {}, t('fallback.full.refund')), h('li', {}, t('fallback.full.ryoyohi'))),
        h('div', { class: 'button-row' },
          button('fallback-full-charge-confirm', t('fallback.full.confirm'), () => sendStaff(ctx, null, 'ConfirmFullCharge'), 'danger')),
      ];
    default:
      return h('p', {}, step);
  }
}

/**
 * 被保険者資格申立書: every DeclarationEntry field (UNVERIFIED field set, domain.md §4).
 * @param {import('../contract/commands').Snapshot} snap
 * @param {import('../app.js').Ctx} ctx
 */
function declarationForm(snap, ctx) {
  const { t, info } = ctx;
  const today = (info && info.today) || '';
  const f = form(ctx, 'declaration', { ...EMPTY_DECLARATION, visit_date: today, filled_on: today });
  const F = 'declaration';
  const i = (key, field, extra = {}) => input(ctx, snap, f, key, { testid: `decl-${key.replace(/_/g, '-')}`, label: t(`field.${key}`), fields: field ? [field] : [], formName: F, ...extra });
  const redraw = () => { ctx.local.formVersion = (ctx.local.formVersion || 0) + 1; ctx.rerender(); };
  return [
    h('p', {}, t('fallback.declaration.lead')),
    h('p', { class: 'muted small' }, t('fallback.declaration.sign')),
    h('div', { class: 'form-grid' },
      i('visit_date', 'Date', { type: 'date' }),
      i('filled_on', 'Date', { type: 'date' }),
      i('name', 'Name'),
      i('name_kana', 'NameKana', { hint: t('field.kana_hint') }),
      i('birthdate', 'Birthdate', { type: 'date' }),
      segmented(f, 'sex', [['Male', t('sex.Male'), 'decl-sex-male'], ['Female', t('sex.Female'), 'decl-sex-female'], ['Unstated', t('sex.Unstated'), 'decl-sex-unstated']], null, t('field.sex')),
      i('address', 'Address', { wide: true }),
      i('phone', null, { type: 'tel' }),
      segmented(f, 'insurance_type', ['Employee', 'National', 'LateElderly', 'Other'].map((k) => [k, t(`insurance.${k}`), `decl-insurance-${kebab(k)}`]), redraw, t('field.insurance_type')),
      i('insurer_name', null),
      i('insurer_number', 'InsurerNumber', { inputmode: 'numeric' }),
      i('symbol', 'Symbol'),
      i('number', 'Number'),
      i('branch', 'Branch', { inputmode: 'numeric' }),
      f.insurance_type === 'Employee' ? i('employer', 'Employer') : null,
      segmented(f, 'dependant', [[false, t('relationship.Insured'), 'decl-relationship-insured'], [true, t('relationship.Dependant'), 'decl-relationship-dependant']], null, t('staff.eligibility.relationship')),
      shareField(ctx, snap, f, 'copay_percent', { testid: 'decl-copay', label: t('field.decl_copay_percent'), hint: t('field.decl_copay_percent_hint'), formName: F }),
      i('staff_note', null, { wide: true })),
    checkbox(ctx, snap, f, 'declared_true', { testid: 'decl-declared-true', label: t('field.declared_true'), fields: ['Declaration'], formName: F, wide: true }),
    h('div', { class: 'button-row' },
      button('decl-submit', t('fallback.declaration.submit'), () => sendStaff(ctx, F, { SubmitDeclaration: entryOf(f) })),
      pdfButton(ctx)),
  ];
}

/**
 * DeclarationEntry JSON of the 申立書 form (the employer only for 被用者保険, as the flow expects).
 * @param {Record<string, any>} f
 * @returns {import('../contract/commands').DeclarationEntry}
 */
function entryOf(f) {
  return /** @type {import('../contract/commands').DeclarationEntry} */ ({ ...f, employer: f.insurance_type === 'Employee' ? f.employer : '' });
}

/**
 * 「PDFを作成」: the 申立書 of the current patient as the form holds it (the one submitted, or the one on
 * screen before submitting), printed by the shell; or `kept`, the copy held by the result kept on the
 * console after the patient left. Nothing when there is no 申立書 form.
 * @param {import('../app.js').Ctx} ctx
 * @param {Record<string, any> | null} [kept]
 */
export function pdfButton(ctx, kept = null) {
  const { t } = ctx;
  const f = kept || (ctx.patient.forms && ctx.patient.forms.declaration);
  if (!f) return null;
  // The path shown belongs to the same memory as the form: the patient's, or the kept result's.
  const path = kept ? ctx.local.resultPdf : ctx.patient.pdfPath;
  return h('span', { class: 'pdf-wrap' },
    button('decl-pdf', t('fallback.declaration.pdf'), async () => {
      const res = await ctx.call('declaration_pdf', { entry: entryOf(f) });
      if (res && res.path) {
        // The path shows next to the button (a toast would cover the form's buttons).
        if (kept) ctx.local.resultPdf = res.path;
        else ctx.patient.pdfPath = res.path;
        ctx.rerender();
      }
    }, 'secondary'),
    path ? h('span', { class: 'path', testid: 'decl-pdf-path' }, path) : null,
    path ? fileButtons(ctx, path, 'decl-pdf') : null);
}
