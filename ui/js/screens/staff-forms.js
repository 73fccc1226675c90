// Form helpers for the staff console. Typed values live in plain objects (ctx.patient.forms.*) so a
// re-render never loses them and the next patient starts with empty forms; validation errors come only from snapshot.validation (the flow
// validates), shown next to the field they name.

import { h } from '../dom.js';
import { errorsFor, snake } from '../view.js';
import { parseDate, readingOf } from '../date.js';

/**
 * The form object `name` in the pane's local state (created with `init` on first use).
 * @param {import('../app.js').Ctx} ctx
 */
export function form(ctx, name, init) {
  const forms = (ctx.patient.forms ||= {});
  if (!forms[name]) forms[name] = JSON.parse(JSON.stringify(init));
  return forms[name];
}

/**
 * Validation messages for snapshot Field names, only when `formName` was the last one submitted.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function fieldErrors(ctx, snap, formName, fields) {
  if (!fields || !fields.length || formName !== (ctx.patient.lastForm || formOfStep(snap))) return null;
  const errs = errorsFor(snap, ...fields);
  if (!errs.length) return null;
  return h('ul', { class: 'field-errors', role: 'alert' },
    errs.map((e) => h('li', { testid: `error-${snake(e.field).replace(/_/g, '-')}-${snake(e.problem).replace(/_/g, '-')}` }, validationText(ctx, e))));
}

/**
 * Message for a ValidationError (same wording scheme as validate.rs message_ja / message_en).
 * @param {import('../app.js').Ctx} ctx
 */
export function validationText(ctx, e) {
  return ctx.t('validation.template', { field: ctx.t(`vfield.${snake(e.field)}`), problem: ctx.t(`vproblem.${snake(e.problem)}`) });
}

/**
 * Before anything was submitted from this pane (e.g. a restart), errors belong to the step's form.
 * @param {import('../contract/commands').Snapshot} snap
 */
function formOfStep(snap) {
  const step = snap && snap.fallback && snap.fallback.step;
  return { CardWithNotice: 'notice', PreviousVisit: 'previous', Declaration: 'declaration' }[step] || 'paper';
}

/**
 * Labelled text input bound to `obj[key]`. `type: 'date'` is a typed date, not a calendar: see `dateInput`.
 * opts: { testid, label, type, placeholder, fields (snapshot Field names for errors), formName, hint, wide }
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function input(ctx, snap, obj, key, opts) {
  if (opts.type === 'date') return dateInput(ctx, snap, obj, key, opts);
  const errs = fieldErrors(ctx, snap, opts.formName, opts.fields);
  const el = h('input', {
    type: opts.type || 'text', testid: opts.testid, value: obj[key] ?? '', placeholder: opts.placeholder || null,
    inputmode: opts.inputmode, autocomplete: 'off', class: errs ? 'invalid' : null,
    'aria-invalid': errs ? 'true' : null,
    on: { input: (e) => { obj[key] = e.target.value; } },
  });
  return h('label', { class: ['field', opts.wide ? 'wide' : ''] },
    h('span', { class: 'field-label' }, opts.label),
    el,
    opts.hint ? h('span', { class: 'field-hint' }, opts.hint) : null,
    errs);
}

/** What each form object's date fields hold as typed (`obj[key]` holds the ISO day the flow reads). */
const typedDates = new WeakMap();

/**
 * The reading of a typed date under its field: 「昭和53年5月12日（1978年5月12日）」 (each date on one line),
 * 「日付として読めません」 for text that is no date, the field's hint while it is empty.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} typed
 * @param {string | null | undefined} hint
 * @returns {{ text: (string | Node)[], unreadable: boolean }}
 */
function dateReading(ctx, typed, hint) {
  // Through h() so the copy gets its phrase breaks (dom.js).
  if (!typed.trim()) return { text: [h('span', {}, hint || ctx.t('date.hint'))], unreadable: false };
  const day = parseDate(typed);
  if (!day) return { text: [h('span', {}, ctx.t('date.unreadable'))], unreadable: true };
  const reading = readingOf(day, ctx.lang);
  const split = reading.indexOf('（');
  if (split < 0) return { text: [h('span', { class: 'nowrap' }, reading)], unreadable: false };
  return { text: [h('span', { class: 'nowrap' }, reading.slice(0, split)), h('wbr'), h('span', { class: 'nowrap' }, reading.slice(split))], unreadable: false };
}

/**
 * A date typed as the desk says it (19780512, 1978/5/12, S53.5.12, 昭和53年5月12日, R8.12.2 …: ui/js/date.js),
 * with its reading next to it. `obj[key]` gets the ISO day 'YYYY-MM-DD' the flow expects, or the text as
 * typed when it names no day, so that the flow's validation reports it.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
function dateInput(ctx, snap, obj, key, opts) {
  const errs = fieldErrors(ctx, snap, opts.formName, opts.fields);
  const typed = typedDates.get(obj) || {};
  typedDates.set(obj, typed);
  // What was typed, unless the form's value was changed since (a reset, a default filled in).
  const remembered = typed[key];
  const shown = remembered !== undefined && (parseDate(remembered) || remembered) === obj[key] ? remembered : (obj[key] ?? '');
  const reading = h('span', { class: 'field-hint date-reading', testid: opts.testid ? `${opts.testid}-reading` : null, 'aria-live': 'polite' });
  const show = (/** @type {string} */ text) => {
    const r = dateReading(ctx, text, opts.hint);
    reading.replaceChildren(...r.text);
    reading.classList.toggle('unreadable', r.unreadable);
  };
  show(shown);
  const el = h('input', {
    type: 'text', testid: opts.testid, value: shown, placeholder: opts.placeholder || ctx.t('date.placeholder'),
    autocomplete: 'off', spellcheck: 'false', class: ['date-text', errs ? 'invalid' : ''],
    'aria-invalid': errs ? 'true' : null,
    on: {
      input: (e) => {
        const text = e.target.value;
        typed[key] = text;
        obj[key] = parseDate(text) || text;
        show(text);
      },
    },
  });
  return h('label', { class: ['field', opts.wide ? 'wide' : ''] },
    h('span', { class: 'field-label' }, opts.label),
    el,
    reading,
    errs);
}

/**
 * Checkbox bound to `obj[key]` (boolean).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function checkbox(ctx, snap, obj, key, opts) {
  const errs = fieldErrors(ctx, snap, opts.formName, opts.fields);
  return h('label', { class: ['field', 'check', opts.wide ? 'wide' : ''] },
    h('input', { type: 'checkbox', testid: opts.testid, checked: !!obj[key], on: { change: (e) => { obj[key] = e.target.checked; } } }),
    h('span', {}, opts.label),
    errs);
}

/**
 * Segmented choice bound to `obj[key]`: options [[value, label, testid]]. Re-renders via `onChange`
 * when the choice changes the form's shape (e.g. the paper document kind).
 */
export function segmented(obj, key, options, onChange, label) {
  const group = h('div', { class: 'segmented', role: 'radiogroup' },
    options.map(([value, text, testid]) => h('button', {
      type: 'button', role: 'radio', testid, 'aria-checked': String(obj[key] === value),
      class: obj[key] === value ? 'on' : '',
      on: {
        click: (e) => {
          obj[key] = value;
          for (const b of group.children) {
            const on = b === e.currentTarget;
            b.classList.toggle('on', on);
            b.setAttribute('aria-checked', String(on));
          }
          if (onChange) onChange(value);
        },
      },
    }, text)));
  return h('div', { class: ['segmented-wrap', options.length > 3 ? 'wide' : ''] }, label ? h('span', { class: 'field-label' }, label) : null, group);
}

/**
 * 一部負担金の割合 as 1割 / 2割 / 3割 buttons bound to `obj[key]` (percent), with the errors of Field CopayPercent
 * for `formName`. `unprinted`: offer 「記載なし」 (null) first — for a paper that may print none; without it the
 * field starts unselected and must be chosen. Never a default (#12 §2).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function shareField(ctx, snap, obj, key, opts) {
  const { t } = ctx;
  const { testid, label, hint, formName, unprinted } = opts;
  /** @type {[number | null, string, string][]} */
  const options = [[10, t('copay.10'), `${testid}-10`], [20, t('copay.20'), `${testid}-20`], [30, t('copay.30'), `${testid}-30`]];
  if (unprinted) options.unshift([null, t('copay.unprinted'), `${testid}-none`]);
  return h('div', { class: 'field wide' },
    segmented(obj, key, options, null, label),
    hint ? h('span', { class: 'hint small muted' }, hint) : null,
    fieldErrors(ctx, snap, formName, ['CopayPercent']));
}

/**
 * 開く / 印刷 for a PDF the app saved at `path` (the shell hands it to the desktop's viewer or the default
 * printer and refuses any other file). `testid`: prefix of the two buttons' testids.
 * @param {import('../app.js').Ctx} ctx
 * @param {string} path
 * @param {string} testid
 */
export function fileButtons(ctx, path, testid) {
  const { t } = ctx;
  const act = async (action) => {
    const res = await ctx.call('saved_file_action', { path, action });
    if (res) ctx.flash(t(action === 'Print' ? 'file.printed' : 'file.opened'), 'info');
  };
  return h('span', { class: 'file-actions' },
    button(`${testid}-open`, t('file.open'), () => act('Open'), 'ghost'),
    button(`${testid}-print`, t('file.print'), () => act('Print'), 'ghost'));
}

/** Staff button. */
export function button(testid, label, onClick, variant = 'primary', extra = {}) {
  return h('button', { type: 'button', class: ['s-btn', variant], testid, on: { click: onClick }, ...extra }, label);
}

/**
 * The five number fields of NumberEntry (保険者番号・記号・番号・枝番・生年月日).
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').Snapshot} snap
 */
export function numberFields(ctx, snap, obj, prefix, formName) {
  const { t } = ctx;
  return [
    input(ctx, snap, obj, 'insurer_number', { testid: `${prefix}-insurer-number`, label: t('field.insurer_number'), inputmode: 'numeric', fields: ['InsurerNumber'], formName, placeholder: t('field.insurer_number_placeholder') }),
    input(ctx, snap, obj, 'symbol', { testid: `${prefix}-symbol`, label: t('field.symbol'), fields: ['Symbol'], formName }),
    input(ctx, snap, obj, 'number', { testid: `${prefix}-number`, label: t('field.number'), fields: ['Number'], formName }),
    input(ctx, snap, obj, 'branch', { testid: `${prefix}-branch`, label: t('field.branch'), inputmode: 'numeric', fields: ['Branch'], formName, placeholder: t('field.branch_placeholder') }),
    input(ctx, snap, obj, 'birthdate', { testid: `${prefix}-birthdate`, label: t('field.birthdate'), type: 'date', fields: ['Birthdate'], formName }),
    // A number query has no reader screen for the 限度額 consent: the desk asks (domain.md §2(a)); never pre-ticked.
    checkbox(ctx, snap, obj, 'limit_consent', { testid: `${prefix}-limit-consent`, label: t('field.limit_consent'), wide: true }),
  ];
}

export const EMPTY_NUMBERS = { insurer_number: '', symbol: '', number: '', branch: '', birthdate: '', limit_consent: false };

/** NumberEntry JSON from a form object (all strings, as the flow expects). */
export function numbersOf(obj) {
  return {
    insurer_number: obj.insurer_number.trim(), symbol: obj.symbol.trim(), number: obj.number.trim(),
    branch: obj.branch.trim(), birthdate: obj.birthdate.trim(), limit_consent: !!obj.limit_consent,
  };
}

/**
 * Send a staff action and remember which form it came from (for placing validation errors).
 * @param {import('../app.js').Ctx} ctx
 * @param {string | null} formName
 * @param {import('../contract/commands').StaffAction} action
 */
export function sendStaff(ctx, formName, action) {
  ctx.patient.lastForm = formName;
  return ctx.send({ kind: 'Staff', value: action });
}
