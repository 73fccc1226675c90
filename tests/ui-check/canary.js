// @ts-check
// Proves the UI type check is not vacuous: each line below is wrong against the contract, and tsc fails the
// build when an `@ts-expect-error` has nothing to expect (e.g. if the contract stopped resolving and
// everything became `any`). Type-checked with ui/js by tsconfig.json; never loaded by a page.

import { call, send } from '../../ui/js/backend.js';

export async function canary() {
  // @ts-expect-error: no such command (the search screen once called one that no command registered)
  await call('last_visit_of', { patient_id: 1 });
  // @ts-expect-error: a required argument is missing
  await call('export_csv', { date: '2026-05-20' });
  // @ts-expect-error: not one of the filters
  await call('today_list', { filter: 'everything' });

  const rows = await call('today_list', { filter: 'all' });
  // @ts-expect-error: the store's row says `at`, not `time` (本日の受付 once showed 「—」 for every row)
  console.log(rows[0].time);
  console.log(rows[0].at, rows[0].name, rows[0].identity);

  // @ts-expect-error: a page may not send a port result
  await send({ kind: 'CardRead', value: { Ok: {} } });
  // @ts-expect-error: StaffAction has no such variant
  await send({ kind: 'Staff', value: 'ReadTheMyNumber' });

  const snap = await call('snapshot');
  // @ts-expect-error: the snapshot has no PIN field, and never will
  console.log(snap.pin);
}
