// Preview toolbar: pick a fixture, mode and language; after load, optionally open a staff tab and
// switch every pane to English (for screenshots). Not part of the app.
const params = new URLSearchParams(location.search);

async function fixtures() {
  try {
    return await (await fetch('snapshots/index.json')).json();
  } catch {
    return [];
  }
}

function go(changes) {
  const p = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) if (v) p.set(k, v); else p.delete(k);
  location.search = p.toString();
}

async function toolbar() {
  if (params.get('bare')) {
    document.body.classList.add('bare');
    return;
  }
  const bar = document.getElementById('preview-bar');
  const select = document.createElement('select');
  for (const name of await fixtures()) {
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name;
    o.selected = name === (params.get('snap') || 'waiting');
    select.appendChild(o);
  }
  select.addEventListener('change', () => go({ snap: select.value, code: '' }));
  const label = document.createElement('span');
  label.textContent = 'fixture:';
  const mode = document.createElement('button');
  mode.textContent = `mode: ${params.get('mode') || 'training'}`;
  mode.addEventListener('click', () => go({ mode: params.get('mode') === 'live' ? 'training' : 'live' }));
  bar.append(label, select, mode);
}

function clickWhenReady(selector, tries = 40) {
  const el = document.querySelector(selector);
  if (el) { el.click(); return; }
  if (tries > 0) setTimeout(() => clickWhenReady(selector, tries - 1), 50);
}

toolbar();
if (params.get('tab')) clickWhenReady(`[data-testid="staff-tab-${params.get('tab')}"]`);
if (params.get('lang') === 'en') {
  for (const p of ['reader', 'staff', 'trainer']) clickWhenReady(`[data-testid="${p}-lang-toggle"]`);
}
if (params.get('click')) {
  for (const id of params.get('click').split(',')) setTimeout(() => clickWhenReady(`[data-testid="${id}"]`), 300);
}
