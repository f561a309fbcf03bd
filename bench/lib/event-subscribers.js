'use strict';

/**
 * A child process holding many live-event subscribers (SSE or WebSocket) for the events bench (so
 * the subscribers' parsing runs beside, not inside, the process that writes and probes). Driven over IPC:
 *   { cmd: 'connect', url, headers, count, transport? }  → { type: 'connected', count, failed }
 *     (transport 'sse', the default, or 'ws': then url is the ws:// endpoint)
 *   { cmd: 'sent', n, at }                   the page `bench-ev-<n>` was POSTed at `at` (ms)
 *   { cmd: 'count' }                         → { type: 'count', received }
 *   { cmd: 'report' }                        → { type: 'report', received, duplicates, fewest, latencies } (and starts counting afresh)
 *   { cmd: 'close' }                         → { type: 'closed' }
 * A latency is POST sent → the event's frame received, per subscriber and event.
 */
const http = require('node:http');
const { WebSocket } = require('ws');

const SLUG = /"slug":"bench-ev-(\d+)"/g;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const subscribers = [];
const sentAt = new Map();
/** Frames that arrived before the parent's 'sent' message did: n → receive times. */
const early = new Map();
let latencies = [];
let duplicates = 0;

function onFrame(subscriber, n, at) {
  // The relay delivers at least once: a repeat is counted apart, not as one more event received.
  if (subscriber.seen.has(n)) {
    duplicates++;
    return;
  }
  subscriber.seen.add(n);
  subscriber.received++;
  const sent = sentAt.get(n);
  if (sent === undefined) {
    if (!early.has(n)) early.set(n, []);
    early.get(n).push(at);
  } else latencies.push(at - sent);
}

function connectOne(url, headers) {
  return new Promise((resolve) => {
    const subscriber = { received: 0, seen: new Set(), request: undefined };
    subscriber.request = http.get(url, { agent, headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(undefined);
        return;
      }
      let buffer = '';
      response.setEncoding('utf8');
      response.once('data', () => resolve(subscriber));
      response.on('data', (chunk) => {
        const at = Date.now();
        buffer += chunk;
        const end = buffer.lastIndexOf('\n\n');
        if (end === -1) return;
        const complete = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const match of complete.matchAll(SLUG)) onFrame(subscriber, Number(match[1]), at);
      });
      response.on('error', () => {});
    });
    subscriber.request.on('error', () => resolve(undefined));
  });
}

/** A WebSocket subscriber: connected once the server's first message (`ready`) arrived; each event is one text message. */
function connectOneWebSocket(url, headers) {
  return new Promise((resolve) => {
    const subscriber = { received: 0, seen: new Set(), request: undefined };
    const socket = new WebSocket(url, ['strata-events'], { headers, perMessageDeflate: false });
    subscriber.request = { destroy: () => socket.terminate() };
    let ready = false;
    socket.on('message', (data) => {
      const at = Date.now();
      if (!ready) {
        ready = true;
        resolve(subscriber);
        return;
      }
      for (const match of data.toString('utf8').matchAll(SLUG)) onFrame(subscriber, Number(match[1]), at);
    });
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}

async function connect({ url, headers, count, transport = 'sse' }) {
  const connectOneOf = transport === 'ws' ? connectOneWebSocket : connectOne;
  let failed = 0;
  // A few hundred at a time: the server authenticates each one.
  for (let start = 0; start < count; start += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, count - start) }, () => connectOneOf(url, headers)));
    for (const subscriber of batch) subscriber ? subscribers.push(subscriber) : failed++;
  }
  process.send({ type: 'connected', count: subscribers.length, failed });
}

process.on('message', async (message) => {
  if (message.cmd === 'connect') await connect(message);
  else if (message.cmd === 'sent') {
    sentAt.set(message.n, message.at);
    for (const at of early.get(message.n) ?? []) latencies.push(at - message.at);
    early.delete(message.n);
  } else if (message.cmd === 'count') {
    process.send({ type: 'count', received: subscribers.reduce((sum, subscriber) => sum + subscriber.received, 0) });
  } else if (message.cmd === 'report') {
    const received = subscribers.reduce((sum, subscriber) => sum + subscriber.received, 0);
    const fewest = subscribers.reduce((min, subscriber) => Math.min(min, subscriber.received), Infinity);
    process.send({ type: 'report', received, duplicates, fewest: Number.isFinite(fewest) ? fewest : 0, latencies });
    latencies = [];
    duplicates = 0;
    for (const subscriber of subscribers) {
      subscriber.received = 0;
      subscriber.seen.clear();
    }
  } else if (message.cmd === 'close') {
    for (const subscriber of subscribers.splice(0)) subscriber.request.destroy();
    sentAt.clear();
    early.clear();
    process.send({ type: 'closed' });
  } else if (message.cmd === 'exit') process.exit(0);
});
