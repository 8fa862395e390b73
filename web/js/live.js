// live.js — live events over the daemon's WebSocket (/ws).
//
//   import { subscribe, onStatus } from '/js/live.js';
//   const stop = subscribe('memorial:42', (event) => { ... }, {
//     onError: (err) => { ... },   // {code, message}: the server refused the topic
//     invite: token,               // an invite link's token, for invite-only topics
//   });
//   const off = onStatus((s) => { ... }); // 'connecting' | 'connected' | 'reconnecting' | 'idle'
//
// Protocol: the client sends {"subscribe":"memorial:42"} (with "invite":
// token for an invite-only ceremony or memorial), the server answers
// {"subscribed":"memorial:42"}; events arrive as {"topic":"memorial:42",
// "event":{...}}; a refusal is {"error":{"code","message"}} in answer to the
// oldest subscribe still waiting. One socket per page, opened on the first
// subscribe and closed when the last one stops. A dropped socket reconnects
// after 1 s, doubling to 30 s, with jitter, and subscribes again to every
// topic; going back online or to a visible tab retries at once.

const MIN_DELAY = 1000;
const MAX_DELAY = 30000;
const PING_EVERY = 25000;
const SILENT_LIMIT = 65000; // no message (not even a pong) this long: reconnect
const STABLE_AFTER = 10000; // a socket open this long resets the backoff

const topics = new Map(); // topic -> { handlers: Set, errors: Set, acked: bool, invite }
const statusFns = new Set();
let ws = null;
let status = 'idle';
let attempt = 0;
let retryTimer = null;
let pingTimer = null;
let stableTimer = null;
let lastHeard = 0;
let awaiting = []; // topics sent, not yet answered, oldest first

function url() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/ws`;
}

function setStatus(s) {
  if (s === status) return;
  status = s;
  for (const fn of [...statusFns]) {
    try {
      fn(s);
    } catch (err) {
      reportError(err);
    }
  }
}

/** The connection state now. */
export function liveStatus() {
  return status;
}

/** Call fn(status) now and on every change; returns an unsubscribe. */
export function onStatus(fn) {
  statusFns.add(fn);
  fn(status);
  return () => statusFns.delete(fn);
}

function send(obj) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(obj));
    return true;
  }
  return false;
}

function sendSubscribe(topic) {
  const invite = topics.get(topic)?.invite;
  if (send(invite ? { subscribe: topic, invite } : { subscribe: topic })) awaiting.push(topic);
}

function clearTimers() {
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  clearTimeout(stableTimer);
  retryTimer = pingTimer = stableTimer = null;
}

function connect() {
  clearTimers();
  if (!topics.size) {
    setStatus('idle');
    return;
  }
  setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
  let sock;
  try {
    sock = new WebSocket(url());
  } catch {
    scheduleRetry();
    return;
  }
  ws = sock;
  awaiting = [];
  sock.addEventListener('open', () => {
    if (ws !== sock) return;
    lastHeard = Date.now();
    setStatus('connected');
    for (const [topic, entry] of topics) {
      entry.acked = false;
      sendSubscribe(topic);
    }
    stableTimer = setTimeout(() => { attempt = 0; }, STABLE_AFTER);
    pingTimer = setInterval(() => {
      if (Date.now() - lastHeard > SILENT_LIMIT) {
        sock.close(4000, 'silent');
        return;
      }
      send({ ping: 1 });
    }, PING_EVERY);
  });
  sock.addEventListener('message', (ev) => {
    if (ws !== sock) return;
    lastHeard = Date.now();
    onMessage(ev.data);
  });
  sock.addEventListener('close', () => {
    if (ws !== sock) return;
    ws = null;
    clearTimers();
    if (topics.size) scheduleRetry();
    else setStatus('idle');
  });
  // 'error' is always followed by 'close'; nothing to do here.
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** attempt);
  const delay = base / 2 + Math.random() * (base / 2);
  attempt++;
  setStatus('reconnecting');
  retryTimer = setTimeout(connect, delay);
}

function onMessage(data) {
  let msg;
  try {
    msg = JSON.parse(data);
  } catch {
    return;
  }
  if (!msg || typeof msg !== 'object') return;
  if (typeof msg.subscribed === 'string') {
    const i = awaiting.indexOf(msg.subscribed);
    if (i >= 0) awaiting.splice(i, 1);
    const entry = topics.get(msg.subscribed);
    if (entry) {
      entry.acked = true;
      for (const fn of [...entry.synced]) {
        try {
          fn(msg.subscribed);
        } catch (err) {
          reportError(err);
        }
      }
    }
    return;
  }
  if (typeof msg.topic === 'string' && 'event' in msg) {
    const entry = topics.get(msg.topic);
    if (!entry) return;
    for (const fn of [...entry.handlers]) {
      try {
        fn(msg.event, msg.topic);
      } catch (err) {
        reportError(err);
      }
    }
    return;
  }
  if (msg.error && awaiting.length) {
    // The server answers in order: this refuses the oldest waiting topic.
    const topic = awaiting.shift();
    const entry = topics.get(topic);
    if (!entry) return;
    topics.delete(topic); // not retried on reconnect
    for (const fn of [...entry.errors]) {
      try {
        fn(msg.error, topic);
      } catch (err) {
        reportError(err);
      }
    }
    maybeClose();
  }
  // {"pong":1} and {"unsubscribed":...} need nothing.
}

function maybeClose() {
  if (topics.size) return;
  clearTimers();
  attempt = 0;
  if (ws) {
    const sock = ws;
    ws = null;
    sock.close(1000);
  }
  setStatus('idle');
}

/**
 * Follow topic; onEvent(event, topic) for each event. opts.onError(error,
 * topic) if the server refuses it; opts.invite is sent along (invite links);
 * opts.onSubscribed(topic) each time the server confirms the subscription
 * (also after a reconnect) — the moment to re-read state, since events
 * sent before it were not received. Returns a function that stops following.
 */
export function subscribe(topic, onEvent, opts = {}) {
  let entry = topics.get(topic);
  const isNew = !entry;
  if (!entry) {
    entry = { handlers: new Set(), errors: new Set(), synced: new Set(), acked: false, invite: null };
    topics.set(topic, entry);
  }
  if (opts.invite) entry.invite = String(opts.invite);
  entry.handlers.add(onEvent);
  if (opts.onError) entry.errors.add(opts.onError);
  if (opts.onSubscribed) entry.synced.add(opts.onSubscribed);

  if (!ws && !retryTimer) connect();
  else if (isNew && ws && ws.readyState === WebSocket.OPEN) sendSubscribe(topic);

  return () => {
    const cur = topics.get(topic);
    if (!cur) return;
    cur.handlers.delete(onEvent);
    if (opts.onError) cur.errors.delete(opts.onError);
    if (opts.onSubscribed) cur.synced.delete(opts.onSubscribed);
    if (cur.handlers.size) return;
    topics.delete(topic);
    send({ unsubscribe: topic });
    // a close right away would race a resubscribe of the same page part
    setTimeout(maybeClose, 0);
  };
}

function retryNow() {
  if (topics.size && !ws && retryTimer) {
    attempt = 0;
    connect();
  }
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') retryNow();
  });
}
