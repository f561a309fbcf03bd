'use strict';

/**
 * What the built server's RSS does after live-event subscribers leave, and why: Strata from the
 * build (`npm start`'s entry, API + relay), N SSE subscribers in a child process, 20 events, they
 * leave; then RSS, V8 heap used / total and external memory every 5 s, then one full garbage
 * collection asked for through the inspector (HeapProfiler.collectGarbage; the server runs with
 * --inspect on a random local port for this) and the same figures again. If RSS comes back only
 * after that collection, nothing holds on to the subscribers' memory: it is garbage V8 has not
 * collected yet. Run (after `npm run build`):
 *   node bench/events-rss.js                  # 5 000 subscribers, 20 s of samples
 *   N=10000 SAMPLE_S=60 node bench/events-rss.js
 * ENTRY runs another build's dist/apps/main.js; CYCLES repeats the connect / leave cycle.
 */
const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { WebSocket } = require('ws');
const { readSettings } = require('./lib/settings');
const { API_ENTRY, startStrata } = require('./lib/strata');

const SUBSCRIBERS = Number(process.env.N || 5000);
const SAMPLE_S = Number(process.env.SAMPLE_S || 20);
const CYCLES = Number(process.env.CYCLES || 1);
const ENTRY = process.env.ENTRY || join(API_ENTRY, '..', '..', 'main.js');
const SUBSCRIBERS_SCRIPT = join(__dirname, 'lib', 'event-subscribers.js');
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const auth = { authorization: `Bearer ${ADMIN_KEY}` };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function heapMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return {
    used: value('strata_nodejs_heap_size_used_bytes'),
    total: value('strata_nodejs_heap_size_total_bytes'),
    external: value('strata_nodejs_external_memory_bytes'),
  };
}

async function report(label, api) {
  const heap = await heapMb(api.url);
  console.log(
    `${label.padEnd(34)} RSS ${rssMb(api.pid).toFixed(0)} MB, V8 heap used ${heap.used.toFixed(0)} / total ${heap.total.toFixed(0)} MB, external ${heap.external.toFixed(0)} MB`,
  );
}

/** One full collection in the server, through the inspector it listens on. */
async function collectGarbage(api) {
  const address = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(api.output())?.[0];
  if (!address) throw new Error(`the server printed no inspector address:\n${api.output()}`);
  const inspector = new WebSocket(address);
  await new Promise((resolve, reject) => inspector.once('open', resolve).once('error', reject));
  await new Promise((resolve) => {
    inspector.on('message', (data) => JSON.parse(data).id === 1 && resolve());
    inspector.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
  });
  inspector.close();
}

function startSubscribers() {
  const child = fork(SUBSCRIBERS_SCRIPT, [], { execArgv: ['--max-old-space-size=2048'] });
  const ask = (message, answerType) =>
    new Promise((resolve) => {
      const listener = (answer) => {
        if (answer.type !== answerType) return;
        child.off('message', listener);
        resolve(answer);
      };
      child.on('message', listener);
      child.send(message);
    });
  return { ask, exit: () => child.send({ cmd: 'exit' }) };
}

async function main() {
  const api = await startStrata(readSettings(process.env), {
    env: { PROCESS_ROLE: 'all', ADMIN_API_KEY: ADMIN_KEY, EVENTS_MAX_SUBSCRIBERS: '20000', NODE_OPTIONS: '--inspect=127.0.0.1:0' },
    name: 'Strata (api + relay)',
    script: ENTRY,
  });
  let page = 0;
  const post = () =>
    fetch(`${api.url}/api/v1/pages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ slug: `rss-${page++}`, title: 'RSS' }),
    }).then((response) => response.text());
  try {
    await post();
    await sleep(2000);
    await report('idle (one write done)', api);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const subscribers = startSubscribers();
      const url = `${api.url}/api/v1/events?types=page.*`;
      const connected = await subscribers.ask({ cmd: 'connect', url, headers: auth, count: SUBSCRIBERS }, 'connected');
      await report(`cycle ${cycle}: ${connected.count} connected`, api);
      for (let event = 0; event < 20; event++) {
        await post();
        await sleep(100);
      }
      await sleep(2000);
      await report(`cycle ${cycle}: after 20 events`, api);
      await subscribers.ask({ cmd: 'close' }, 'closed');
      subscribers.exit();
      for (let second = 5; second <= SAMPLE_S; second += 5) {
        await sleep(5000);
        await report(`cycle ${cycle}: ${second} s after they left`, api);
      }
      await collectGarbage(api);
      await sleep(2000);
      await report(`cycle ${cycle}: after one full GC`, api);
    }
  } finally {
    await api.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
