// The eligibility card (資格確認結果) and consent badges with their 24 h expiry. Also used for 再診
// history from last_eligibility. Half-width カナ is shown as received; ● (a character the service could
// not send) is shown as received with the hint to check the 正字 on the card.

import { h } from '../dom.js';
import { dash } from '../view.js';
import { formatDate, formatMoment } from '../format.js';

/**
 * Name with the ● hint when needed.
 * @param {import('../app.js').Ctx} ctx
 */
export function nameWithHint(ctx, name, testid) {
  const gaiji = typeof name === 'string' && name.includes('●');
  return h('span', { class: 'name-wrap' },
    h('span', { class: 'patient-name', testid }, dash(name)),
    gaiji ? h('span', { class: 'gaiji-hint', testid: `${testid}-gaiji-hint` }, ctx.t('staff.gaiji_hint')) : null);
}

function row(label, value, testid) {
  return h('div', { class: 'kv' }, h('dt', {}, label), h('dd', { testid }, value));
}

/**
 * 負担割合 from percent: 30 → 3割.
 * @param {import('../app.js').Ctx} ctx
 */
export function copayText(ctx, percent) {
  if (percent === null || percent === undefined) return '—';
  return ctx.t('staff.copay', { n: Number(percent) / 10, p: Number(percent) });
}

/**
 * Consent badges: 診療・お薬 / 手術 / 健診, with the expiry and whether it is still valid.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').ConsentRecord | null} consent
 * @param {boolean} [valid]
 * @param {string} [testid]
 */
export function consentBadges(ctx, consent, valid, testid = 'staff-consent') {
  const { t } = ctx;
  if (!consent) return h('p', { class: 'muted', testid: `${testid}-none` }, t('staff.consent.none'));
  const items = [['treatment_and_medicine', 'TreatmentAndMedicine'], ['surgery', 'Surgery'], ['health_checkup', 'HealthCheckup']];
  const until = consent.valid_until;
  const expired = valid === false;
  return h('div', { class: ['consent-badges', expired ? 'expired' : ''], testid },
    items.map(([k, name]) => h('span', {
      class: ['badge', consent[k] ? 'yes' : 'no'], testid: `${testid}-${k.replace(/_/g, '-')}`,
    }, `${t(`consent.item.${name}`)} ${t(consent[k] ? 'staff.consent.yes' : 'staff.consent.no')}`)),
    until ? h('span', { class: ['badge', 'expiry', expired ? 'expired' : 'valid'], testid: `${testid}-expiry` },
      t(expired ? 'staff.consent.expired' : 'staff.consent.until', { at: formatMoment(until, ctx.lang) })) : null);
}

/**
 * The eligibility card for an EligibilityView {validity, record, confirmed_on}.
 * @param {import('../app.js').Ctx} ctx
 * @param {import('../contract/commands').EligibilityView | null} view
 * @param {import('../contract/commands').ConsentRecord | null} consent
 * @param {boolean} [consentValid]
 * @param {string} [testid]
 */
export function eligibilityCard(ctx, view, consent, consentValid, testid = 'staff-eligibility') {
  const { t, lang } = ctx;
  if (!view || !view.record) return null;
  const r = view.record;
  const validity = view.validity;
  const numbers = [r.symbol, r.number].filter(Boolean).join('・') + (r.branch ? `（${t('field.branch')} ${r.branch}）` : '');
  const period = [r.valid_from ? formatDate(r.valid_from, lang) : '', r.valid_until ? formatDate(r.valid_until, lang) : ''];
  const until = (d) => (d ? t('staff.eligibility.until', { date: formatDate(d, lang) }) : '');
  return h('section', { class: 'card eligibility', testid },
    h('header', { class: 'card-head' },
      h('h3', {}, t('staff.eligibility.title')),
      h('span', { class: ['badge', 'validity', validity ? `v-${validity}` : 'v-none'], testid: `${testid}-validity` },
        validity ? t(`validity.${validity}`) : t('staff.eligibility.no_online'))),
    h('div', { class: 'patient-line' },
      nameWithHint(ctx, r.name, `${testid}-name`),
      h('span', { class: 'kana', testid: `${testid}-kana` }, dash(r.name_kana))),
    h('dl', { class: 'kv-grid' },
      row(t('field.birthdate'), formatDate(r.birthdate, lang) || '—', `${testid}-birthdate`),
      row(t('field.insurer_number'), dash(r.insurer_number), `${testid}-insurer-number`),
      row(t('field.insurer_name'), dash(r.insurer_name), `${testid}-insurer-name`),
      row(t('staff.eligibility.numbers'), dash(numbers), `${testid}-numbers`),
      row(t('staff.eligibility.relationship'), r.relationship ? t(`relationship.${r.relationship}`) : '—', `${testid}-relationship`),
      row(t('staff.eligibility.copay'), copayText(ctx, r.copay_percent), `${testid}-copay`),
      // 限度額・特定疾病・高齢受給者 (S000 2-11, 2-13; S004 §4): what the paper certificates used to show.
      r.elderly ? row(t('staff.eligibility.elderly'), [copayText(ctx, r.elderly.copay_percent), until(r.elderly.valid_until)].join(''), `${testid}-elderly`) : null,
      r.limit ? row(t('staff.eligibility.limit'), `${r.limit.class_name}（${r.limit.class_code}）${until(r.limit.valid_until)}`, `${testid}-limit`) : null,
      ...(r.specific_diseases || []).map((d, i) => row(t('staff.eligibility.specific_disease'),
        [d.category_name, d.self_pay_yen != null ? t('staff.eligibility.self_pay', { yen: d.self_pay_yen.toLocaleString('ja-JP') }) : '', until(d.valid_until)].join(''),
        `${testid}-specific-disease-${i}`)),
      row(t('staff.eligibility.period'), period[0] || period[1] ? `${period[0] || '—'} 〜 ${period[1] || t('staff.eligibility.open_end')}` : '—', `${testid}-period`),
      row(t('staff.eligibility.confirmed_on'), view.confirmed_on ? formatDate(view.confirmed_on, lang) : '—', `${testid}-confirmed-on`)),
    r.medical_viewing_suspended ? h('p', { class: 'warn', testid: `${testid}-suspended` }, t('notice.staff.MedicalViewingSuspended')) : null,
    h('div', { class: 'consent-row' },
      h('span', { class: 'field-label' }, t('staff.consent.title')),
      consentBadges(ctx, consent, consentValid, `${testid}-consent`)));
}
