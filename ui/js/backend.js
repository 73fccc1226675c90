// @ts-check
// The only UI module that touches Tauri. Every other module gets `send`, `call` and snapshots from here,
// so the screens can be rendered by tests or another host without knowing about window.__TAURI__.
// Typed by the contract generated from Rust (ui/js/contract/commands.ts): a command that does not exist,
// a wrong argument or a field the reply does not have fails `make test` (tsc --checkJs).

/** @typedef {import('./contract/commands').Commands} Commands */
/** @typedef {import('./contract/commands').CommandName} CommandName */
/** @typedef {import('./contract/commands').Snapshot} Snapshot */
/** @typedef {import('./contract/commands').UserInput} UserInput */
/** @typedef {import('./contract/commands').UiError} UiError */

/**
 * @typedef {object} TauriGlobal
 * @property {{ invoke: (cmd: string, args?: object) => Promise<any> }} core
 * @property {{ listen: (name: string, handler: (e: { payload: any }) => void) => Promise<() => void> }} event
 */

/** @returns {TauriGlobal} */
const tauri = () => {
  const t = /** @type {any} */ (window).__TAURI__;
  if (!t) throw new Error('Tauri IPC is not available');
  return t;
};

/**
 * Sends a person's action to the driver thread; resolves to the next snapshot.
 * @param {UserInput} event
 * @returns {Promise<Snapshot>}
 */
export async function send(event) {
  return call('send', { event });
}

/**
 * Reads the current snapshot (used once at start; afterwards snapshots arrive as events).
 * @returns {Promise<Snapshot>}
 */
export async function snapshot() {
  return call('snapshot');
}

/**
 * Calls command `name` (one of the command table in src-tauri/src/lib.rs). Rejects with a `UiError`
 * (`{code, key, params}`); only a command unknown to the shell rejects with Tauri's plain string.
 * @type {<K extends CommandName>(name: K, ...args: import('./contract/commands').ArgsOf<K>) => Promise<Commands[K]['reply']>}
 */
export const call = async (name, ...args) => tauri().core.invoke(name, args[0] ?? {});

/**
 * Subscribes to snapshots pushed by the driver thread.
 * @param {(snapshot: Snapshot) => void} handler
 */
export async function onSnapshot(handler) {
  return tauri().event.listen('snapshot', (e) => handler(e.payload));
}

/**
 * Subscribes to any other pushed event (e.g. 'staff-changed').
 * @param {string} name
 * @param {(payload: unknown) => void} handler
 */
export async function on(name, handler) {
  return tauri().event.listen(name, (e) => handler(e.payload));
}
