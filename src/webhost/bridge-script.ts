import { COMMAND_NAMES, EVENT_NAMES } from '../shared/ipc/channels';
import { BRIDGE_CLOSED_EVENT } from '../shared/ipc/liveness';

/**
 * The browser side of the web host: a classic script served as /__perch/bridge.js that defines
 * `window.perch = {call, on}` with the preload's semantics (src/preload/index.ts): unknown
 * command names resolve to an 'unknown-command' Result, unknown event names throw, `on` returns
 * its own unsubscribe closure, and `call` always resolves with a Result (never rejects).
 *
 * The per-run token is not in this file (any page can include a script): the printed URL carries
 * it in its fragment (`/#t=…`, never sent over the network), and this script keeps it in
 * sessionStorage, which only this origin (port included) can read, so a reload still connects.
 * Never a cookie: browsers send 127.0.0.1 cookies to every local port. Without a token the page
 * says how to open it and connects nothing.
 */
export const NO_TOKEN_MESSAGE =
  'This Perch web host opens only from the address it printed when it started (it ends in /#t=…). ' +
  'That address is the access key to it: open it again from there, and do not share it.';

export function bridgeScript(): string {
  const commands = JSON.stringify(COMMAND_NAMES);
  const events = JSON.stringify(EVENT_NAMES);
  return `(function () {
  'use strict';
  var COMMANDS = new Set(${commands});
  var EVENTS = new Set(${events});
  var KEY = 'perch-web-host-token';
  var token = '';
  var given = /^#t=([0-9a-f]{1,128})$/.exec(location.hash);
  try {
    if (given) sessionStorage.setItem(KEY, given[1]);
    token = sessionStorage.getItem(KEY) || '';
  } catch (e) {
    token = given ? given[1] : '';
  }
  // the access key does not stay in the address bar (or in a screenshot of it)
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  if (!token) {
    document.addEventListener('DOMContentLoaded', function () {
      var note = document.createElement('p');
      note.textContent = ${JSON.stringify(NO_TOKEN_MESSAGE)};
      note.style.cssText = 'margin:2rem auto;padding:0 1.5rem;max-width:40rem;font:16px/1.5 system-ui,sans-serif';
      document.body.replaceChildren(note);
    });
    return;
  }
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__perch/ws?token=' + encodeURIComponent(token || '');
  var socket = null;
  var open = false;
  var closed = false;
  var queue = [];
  var pending = new Map();
  var listeners = new Map();
  var nextId = 1;

  function unreachable(message) {
    return { ok: false, error: { code: 'network', message: message } };
  }

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener('open', function () {
      open = true;
      var q = queue; queue = [];
      for (var i = 0; i < q.length; i++) socket.send(q[i]);
    });
    socket.addEventListener('message', function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg && msg.t === 'result') {
        var resolve = pending.get(msg.id);
        if (resolve) { pending.delete(msg.id); resolve(msg.result); }
      } else if (msg && msg.t === 'event') {
        var set = listeners.get(msg.name);
        if (!set) return;
        Array.from(set).forEach(function (fn) {
          try { fn(msg.payload); } catch (e) { setTimeout(function () { throw e; }); }
        });
      }
    });
    socket.addEventListener('close', function () {
      open = false;
      closed = true;
      pending.forEach(function (resolve) { resolve(unreachable('Lost the connection to the Perch web host.')); });
      pending.clear();
      queue = [];
      // The page shows at once that nothing it shows is current (the renderer listens for this).
      try { window.dispatchEvent(new Event('${BRIDGE_CLOSED_EVENT}')); } catch (e) { /* nothing to tell */ }
    });
  }

  var perch = {
    call: function (name, input) {
      if (typeof name !== 'string' || !COMMANDS.has(name)) {
        return Promise.resolve({ ok: false, error: { code: 'unknown-command', message: 'Unknown command "' + String(name).slice(0, 64) + '".' } });
      }
      if (closed) return Promise.resolve(unreachable('The Perch web host is not reachable.'));
      return new Promise(function (resolve) {
        var id = nextId++;
        pending.set(id, resolve);
        var text = JSON.stringify(input === undefined ? { t: 'call', id: id, name: name } : { t: 'call', id: id, name: name, input: input });
        if (open) socket.send(text); else queue.push(text);
      });
    },
    on: function (name, listener) {
      if (typeof name !== 'string' || !EVENTS.has(name)) throw new Error('Unknown event "' + String(name).slice(0, 64) + '".');
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      var wrapped = function (payload) { listener(payload); };
      var set = listeners.get(name);
      if (!set) { set = new Set(); listeners.set(name, set); }
      set.add(wrapped);
      return function () { set.delete(wrapped); };
    }
  };
  Object.freeze(perch);
  Object.defineProperty(window, 'perch', { value: perch, enumerable: true, configurable: false, writable: false });
  connect();
})();
`;
}
