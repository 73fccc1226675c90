// Reading the serde JSON of reception::Snapshot. Pure helpers, no DOM, no flow logic: the UI only
// decodes what the flow decided (screen, notices, validation) and maps it to copy keys.

/**
 * serde externally-tagged enum → [variant, data]. `"WaitingForCard"` → ['WaitingForCard', null];
 * `{"PinEntry":{"tries_left":3}}` → ['PinEntry', {tries_left: 3}].
 */
export function tag(v) {
  if (v === null || v === undefined) return [null, null];
  if (typeof v === 'string') return [v, null];
  const k = Object.keys(v)[0];
  return [k, v[k]];
}

/** Screen id and its data. */
export function screenOf(snap) {
  return tag(snap && snap.screen);
}

/** 'CommunicationFailure' → 'communication-failure' (for data-testid values). */
export function kebab(s) {
  return String(s).replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

/** 'InsurerNumber' → 'insurer_number' (matches ValidationError::code() in validate.rs). */
export function snake(s) {
  return String(s).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** i18n key of an ErrorCode: 'QueryTimeout' → 'QueryTimeout', {Paper:'LegacyCardAbolished'} → 'Paper.LegacyCardAbolished'. */
export function errorKey(code) {
  const [k, d] = tag(code);
  return d ? `${k}.${d}` : k;
}

/** Validation errors for a given snapshot field name ('InsurerNumber', 'Date', …). */
export function errorsFor(snap, ...fields) {
  return ((snap && snap.validation) || []).filter((e) => fields.includes(e.field));
}

/** Value or '—' for missing data (store rows are rendered defensively). */
export function dash(v) {
  return v === null || v === undefined || v === '' ? '—' : String(v);
}

/** Screens shown while the reader works: no patient input expected. */
export const BUSY_SCREENS = ['ReadingCard', 'Verifying', 'Registering', 'LookingUpPrevious', 'FaceCapture'];
