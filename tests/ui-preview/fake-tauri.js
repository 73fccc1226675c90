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
  const mode = params.get('mode') || 'training';
  const log = (window.__previewLog = []);
  const listeners = {};

  let current = fetch(`snapshots/${fixture}.json`).then((r) => r.json()).then((s) => {
    const code = params.get('code');
    if (code) s.screen = { Error: { code: code.startsWith('{') ? JSON.parse(code) : code } };
    return s;
  });

  const PHOTO = 'data:image/svg+xml;utf8,' + encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 190"><rect width="150" height="190" fill="#dfe8ee"/>' +
    '<circle cx="75" cy="78" r="36" fill="#9fb2c0"/><path d="M15 190 C25 130 125 130 135 190Z" fill="#9fb2c0"/></svg>');

  const TODAY = [
    { visit_id: 1, time: '2025-12-02T09:05:00', patient_name: '山田　花子', patient_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', outcome: 'Completed', basis: 'OnlineCard', billing: 'NormalShare', identity_method: 'Face', operator: 'Patient', insurer_number: '06133946', validity: 'Valid', copay_percent: 30,
      consent: { treatment_and_medicine: true, surgery: true, health_checkup: false, expires_at: '2025-12-03T09:05:00' }, consent_valid: true, fallback: null, open_task: null },
    { visit_id: 2, time: '2025-12-02T09:18:00', patient_name: '髙●　太郎', patient_kana: 'ﾀｶﾊｼ ﾀﾛｳ', outcome: 'Completed', basis: { PreviousVisit: { confirmed_on: '2025-10-14' } }, billing: 'NormalShare', identity_method: 'Pin', operator: 'Proxy', insurer_number: '01130012', copay_percent: 20,
      consent: null, consent_valid: false, fallback: 'CommunicationFailure', open_task: null },
    { visit_id: 3, time: '2025-12-02T09:26:00', patient_name: '佐藤　次郎', patient_kana: 'ｻﾄｳ ｼﾞﾛｳ', outcome: 'Completed', basis: 'Unconfirmed', billing: 'FullCharge', identity_method: 'Visual', operator: 'StaffAssisted',
      consent: null, consent_valid: false, fallback: 'NoEligibilityData', open_task: 'Refund' },
  ];

  const PERSONAS = [
    { id: 'p01-yamada-hanako', name: '山田 花子', kana: 'ヤマダ ハナコ', birthdate: '1985-04-12', kind: 'normal', story: '通常のカード。顔認証でも暗証番号でも受付できます。' },
    { id: 'p02-suzuki-ichiro', name: '鈴木 一郎', kana: 'スズキ イチロウ', birthdate: '1948-11-03', kind: 'normal', story: '暗証番号を忘れがち（残り1回）。' },
    { id: 'p03-takahashi-taro', name: '髙● 太郎', kana: 'タカハシ タロウ', birthdate: '1972-01-30', kind: 'face_only', story: '顔認証マイナンバーカード（暗証番号なし）。' },
    { id: 'p04-sato-mei', name: '佐藤 芽衣', kana: 'サトウ メイ', birthdate: '2016-06-21', kind: 'normal', story: '小学生。保護者が代理で操作します。' },
    { id: 'p05-ito-ken', name: '伊藤 健', kana: 'イトウ ケン', birthdate: '1990-08-08', kind: 'smartphone', story: 'Android のスマホ保険証を使います。' },
  ];

  const answers = {
    app_info: () => ({ mode, version: '0.1.0-preview', reader_name: 'Virtual PCD 00 00', oqs_endpoint: 'http://127.0.0.1:18080', today: '2025-12-02' }),
    snapshot: () => current,
    send: (args) => current,
    today_list: (args) => (args.filter === 'refund' ? TODAY.filter((r) => r.open_task) : args.filter === 'fallback' ? TODAY.filter((r) => r.fallback) : TODAY),
    patient_search: () => [
      { patient_id: 'P000123', name: '山田　花子', kana: 'ﾔﾏﾀﾞ ﾊﾅｺ', birthdate: '1985-04-12', sex: 'Female', last_visit: '2025-10-14' },
      { patient_id: 'P000124', name: '山田　太郎', kana: 'ﾔﾏﾀﾞ ﾀﾛｳ', birthdate: '1983-02-01', sex: 'Male', last_visit: null },
    ],
    last_eligibility: () => current.then((s) => (s.eligibility ? { record: s.eligibility.record, confirmed_on: '2025-10-14' } : null)),
    export_csv: (args) => ({ path: `/home/desk/.local/share/uketsuke/training/export/uketsuke-${args.date}-${args.encoding}.csv` }),
    settings_get: () => ({ oqs_endpoint: 'http://127.0.0.1:18080', face_result_dir: 'C:\\OQS\\face', encoding: 'utf8', temporary_rule: true, prescription_question: false, legacy_limit_screen: false }),
    settings_set: () => null,
    declaration_pdf: () => ({ path: '/home/desk/.local/share/uketsuke/training/pdf/申立書-2025-12-02-0930.pdf' }),
    card_photo: () => ({ data_url: PHOTO }),
    trainer_personas: () => PERSONAS,
    trainer_place_card: () => null,
    trainer_remove_card: () => null,
    trainer_camera: () => null,
    trainer_oqs_fault: () => null,
    trainer_reader_fault: () => null,
  };

  window.__TAURI__ = {
    core: {
      invoke: async (cmd, args = {}) => {
        log.push({ cmd, args });
        const pre = document.getElementById('preview-log');
        if (pre) pre.textContent = log.map((l) => `${l.cmd} ${JSON.stringify(l.args)}`).join('\n');
        console.log('[fake-tauri]', cmd, JSON.stringify(args));
        const f = answers[cmd];
        if (!f) throw { code: 'not_available', message: `preview: no fake for ${cmd}` };
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
  window.__previewPush = async (name) => {
    current = fetch(`snapshots/${name}.json`).then((r) => r.json());
    const s = await current;
    for (const h of listeners.snapshot || []) h({ payload: s });
  };
})();
