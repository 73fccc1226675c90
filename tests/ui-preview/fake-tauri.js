// A fake window.__TAURI__ for the preview harness: serves the fixture snapshots in ./snapshots (real
// serde JSON of reception::Snapshot) and canned answers for the staff / trainer commands, so every
// screen can be rendered in a plain browser without the app. Classic script: it must run before
// ui/js/app.js (a module, so deferred).
//
// URL parameters: snap=<fixture> (default waiting), code=<ErrorCode json or name> (turn the fixture
// into an Error screen), mode=training|live, tab=<staff tab>, lang=en (all panes), bare=1 (no toolbar).
(function () {
  const params = new URLSearchParams(location.search);
  const fixture = params.get('snap') || 'waiting';
  const mode = params.get('mode') === 'live' ? 'live' : 'training';
  const win = /** @type {any} */ (window);
  const log = (win.__previewLog = []);
  const listeners = {};

  let current = fetch(`snapshots/${fixture}.json`).then((r) => r.json()).then((s) => {
    const code = params.get('code');
    if (code) s.screen = { Error: { code: code.startsWith('{') ? JSON.parse(code) : code } };
    return s;
  });

  const PHOTO = 'data:image/svg+xml;utf8,' + encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 190"><rect width="150" height="190" fill="#dfe8ee"/>' +
    '<circle cx="75" cy="78" r="36" fill="#9fb2c0"/><path d="M15 190 C25 130 125 130 135 190Z" fill="#9fb2c0"/></svg>');

  /** @typedef {import('../../ui/js/contract/commands').Commands} Commands */
  /** @type {import('../../ui/js/contract/commands').ReceptionSummary[]} */
  const TODAY = [
    { visit_id: 1, session_id: 'T-20251202-0001', at: '2025-12-02T09:05:00', patient_id: 1, name: '山田　花子', name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birthdate: '1985-04-12', sex: 'Female', kind: 'first',
      identity: 'face', presenter: 'Patient', outcome: 'confirmed', fallback: null, insurer_number: '06133946', copay_percent: 30, consent_expires_at: '2025-12-03T09:05:00', limit_class_name: 'ウ', specific_diseases: null, refund_open: false, recheck_open: false, voided: null, certified_reader_file: null, desk: '受付1' },
    { visit_id: 2, session_id: 'T-20251202-0002', at: '2025-12-02T09:18:00', patient_id: 2, name: '髙●　太郎', name_kana: 'ﾀｶﾊｼ ﾀﾛｳ', birthdate: '1972-01-30', sex: 'Male', kind: 'return',
      identity: 'pin', presenter: 'Proxy', outcome: 'history_used', fallback: 'revisit_history', insurer_number: '01130012', copay_percent: 20, consent_expires_at: null, limit_class_name: null, specific_diseases: '人工透析を要する慢性腎不全', refund_open: false, recheck_open: false, voided: null, certified_reader_file: null, desk: '受付2' },
    { visit_id: 3, session_id: 'T-20251202-0003', at: '2025-12-02T09:26:00', patient_id: 3, name: '佐藤　次郎', name_kana: 'ｻﾄｳ ｼﾞﾛｳ', birthdate: '1960-03-03', sex: 'Male', kind: 'first',
      identity: 'staff_visual', presenter: 'StaffAssisted', outcome: 'full_payment', fallback: 'full_payment', insurer_number: null, copay_percent: null, consent_expires_at: null, limit_class_name: null, specific_diseases: null, refund_open: true, recheck_open: false, voided: null, certified_reader_file: null, desk: '受付1' },
  ];

  /** @type {import('../../ui/js/contract/commands').PersonaRow[]} */
  const PERSONAS = [
    { id: 'p01-yamada-hanako', name: '山田 花子', kana: 'ヤマダ ハナコ', birthdate: '1985-04-12', kind: 'normal', pin: '1234', story: { ja: '通常のカード。顔認証でも暗証番号でも受付できます。', en: '' } },
    { id: 'p02-suzuki-ichiro', name: '鈴木 一郎', kana: 'スズキ イチロウ', birthdate: '1948-11-03', kind: 'normal', pin: '1234', story: { ja: '暗証番号を忘れがち（残り1回）。', en: '' } },
    { id: 'p03-takahashi-taro', name: '髙● 太郎', kana: 'タカハシ タロウ', birthdate: '1972-01-30', kind: 'face_only', pin: null, story: { ja: '顔認証マイナンバーカード（暗証番号なし）。', en: '' } },
    { id: 'p04-sato-mei', name: '佐藤 芽衣', kana: 'サトウ メイ', birthdate: '2016-06-21', kind: 'normal', pin: '1234', story: { ja: '小学生。保護者が代理で操作します。', en: '' } },
    { id: 'p05-ito-ken', name: '伊藤 健', kana: 'イトウ ケン', birthdate: '1990-08-08', kind: 'smartphone', pin: '1234', story: { ja: 'Android のスマホ保険証を使います。', en: '' } },
  ];

  // Canned answers, typed by the contract generated from Rust: a fake that drifts from the real commands
  // fails `make test` like the page would.
  /** @type {{ [K in keyof Commands]?: (args: Commands[K]['args']) => Commands[K]['reply'] | Promise<Commands[K]['reply']> }} */
  const answers = {
    trainer_state: () => ({ card: null, camera: 'same', oqs_fault: 'none', reader_fault: 'none' }),
    app_info: () => ({ mode, version: '0.1.0-preview', reader_name: 'Virtual PCD 00 00', oqs_endpoint: 'http://127.0.0.1:18080', today: '2025-12-02', camera: 'same', inspector: null, reader_ready: true }),
    snapshot: () => current,
    send: () => current,
    today_list: (args) => (args.filter === 'refund' || args.filter === 'pending' ? TODAY.filter((r) => r.refund_open) : args.filter === 'fallback' ? TODAY.filter((r) => r.fallback) : TODAY),
    patient_search: () => [
      { id: 123, name: '山田　花子', name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', name_other: null, birthdate: '1985-04-12', sex: 'Female' },
      { id: 124, name: '山田　太郎', name_kana: 'ﾔﾏﾀﾞ ﾀﾛｳ', name_other: null, birthdate: '1983-02-01', sex: 'Male' },
    ],
    last_eligibility: () => current.then((s) => (s.eligibility ? { record: s.eligibility.record, confirmed_on: '2025-10-14' } : null)),
    export_csv: (args) => ({ path: `/home/desk/.local/share/uketsuke/training/exports/receptions-${args.date}-${args.encoding}.csv` }),
    settings_get: () => ({ mode, oqs_endpoint: 'http://127.0.0.1:18080', reader_name: '', face_result_dir: 'C:\\OQS\\face', terminal_request_dir: '', terminal_result_dir: '', terminal_face_dir: '', encoding: 'utf8', temporary_rule_suspended: false, prescription_question: false, legacy_limit_screen: false, face_threshold: 0.42, live_database: '', training_database: '', desk_name: '受付1' }),
    settings_set: (args) => args.settings,
    declaration_pdf: () => ({ path: '/home/desk/.local/share/uketsuke/training/documents/shikaku-moushitate-20251202-093000.pdf' }),
    card_photo: () => ({ data_url: PHOTO, name: '山田 花子', name_image: null, birthdate: '1985-04-12', sex: '女', address: '東京都千代田区模擬町1-1', address_image: null, counter: null }),
    reader_status: () => ({ reader: 'Virtual PCD 00 00', state: 'ready', detail: null }),
    desk_status: () => ({
      mode, version: '0.1.0-preview', reader: { reader: 'Virtual PCD 00 00', state: 'ready', detail: null },
      eligibility: mode === 'live' ? 'terminal' : 'training_mock', endpoint: 'http://127.0.0.1:18080',
      terminal: mode === 'live' ? {
        request: { path: '/mnt/oqs/req', writable: true, problem: null }, result: { path: '/mnt/oqs/res', writable: true, problem: null },
        face: { path: '/mnt/oqs/face', writable: true, problem: null },
        last: { at: '2025-12-02T09:30:00', latency_ms: 412, outcome: 'answered', detail: null },
      } : null,
      face_model: { state: 'loaded', load_ms: 820, detail: null },
      database: { path: '/home/desk/.local/share/uketsuke/live/uketsuke.sqlite3', bytes: 1843200, last_backup: null, online: true, waiting: 0, held: 0, held_reason: null },
      certified_reader: mode === 'live' ? [
        { file: 'OQSsiquc01res_face_20251202093000.xml', at: '2025-12-02T09:30:00', name: '山田 花子', outcome: 'received', problem: null, detail: null, classified: null },
        { file: 'OQSsiquc01res_face_20251202094000.xml', at: '2025-12-02T09:40:00', name: null, outcome: 'needs_desk', problem: 'not_eligible', detail: 'NotFound', classified: 'NoEligibilityData' },
      ] : [],
      todo: [],
    }),
    trainer_personas: () => PERSONAS,
    trainer_place_card: () => null,
    trainer_remove_card: () => null,
    trainer_camera: () => null,
    trainer_oqs_fault: () => null,
    trainer_reader_fault: () => null,
  };

  win.__TAURI__ = {
    core: {
      invoke: async (cmd, args = {}) => {
        log.push({ cmd, args });
        const pre = document.getElementById('preview-log');
        if (pre) pre.textContent = log.map((l) => `${l.cmd} ${JSON.stringify(l.args)}`).join('\n');
        console.log('[fake-tauri]', cmd, JSON.stringify(args));
        const f = answers[cmd];
        if (!f) throw { code: 'not_available', key: 'not_available', params: { detail: `preview: no fake for ${cmd}` } };
        return f(args);
      },
    },
    event: {
      listen: async (name, handler) => {
        (listeners[name] ||= []).push(handler);
        return () => {};
      },
    },
  };

  /** Preview helper: push another fixture as if the driver emitted it. */
  win.__previewPush = async (name) => {
    current = fetch(`snapshots/${name}.json`).then((r) => r.json());
    const s = await current;
    for (const h of listeners.snapshot || []) h({ payload: s });
  };
})();
