// The only UI module that touches Tauri. Every other module gets `send`, `query` and snapshots from here,
// so the screens can be rendered by tests or another host without knowing about window.__TAURI__.

const tauri = () => {
  if (!window.__TAURI__) throw new Error('Tauri IPC is not available');
  return window.__TAURI__;
};

/** Sends a reception event to the driver thread; resolves to the next snapshot. */
export async function send(event) {
  return tauri().core.invoke('send', { event });
}

/** Reads the current snapshot (used once at start; afterwards snapshots arrive as events). */
export async function snapshot() {
  return tauri().core.invoke('snapshot');
}

/** Staff and trainer queries: `name` is one of the closed command list in src-tauri/src/commands.rs. */
export async function call(name, args = {}) {
  return tauri().core.invoke(name, args);
}

/** Subscribes to snapshots pushed by the driver thread. */
export async function onSnapshot(handler) {
  return tauri().event.listen('snapshot', (e) => handler(e.payload));
}

/** Subscribes to any other pushed event (e.g. 'staff-changed'). */
export async function on(name, handler) {
  return tauri().event.listen(name, (e) => handler(e.payload));
}
