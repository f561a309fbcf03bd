'use strict';

// The markdown report of bench/scale.js: the run's conditions, the Redis topology table and the
// media table, with what each row exercises and what bounds it.
const { writeFileSync } = require('node:fs');
const { describeMachine } = require('./machine');

const fmt = (value, digits = 1) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A share in percent: whole numbers as such, two decimals under 1 % (a lease row's few Redis calls), else one. */
function percent(part, whole) {
  if (!whole) return '–';
  const share = (part / whole) * 100;
  return `${share.toFixed(part === whole || part === 0 ? 0 : share < 1 ? 2 : 1)} %`;
}

/** How the rows' requests were served, from Strata's own counters summed over the measured rounds. */
function servedBy(scenario, rounds) {
  const sum = (name) => rounds.reduce((total, round) => total + round.counts[name], 0);
  if (scenario.counts === 'cache') {
    const reads = sum('l1') + sum('l2') + sum('miss');
    return `L1 ${percent(sum('l1'), reads)} · L2 ${percent(sum('l2'), reads)} · miss ${percent(sum('miss'), reads)}`;
  }
  const counted = sum('redis') + sum('lease') + sum('memory');
  const memory = sum('memory') ? ` · in memory (Redis unreachable) ${percent(sum('memory'), counted)}` : '';
  const perCall = !sum('redis')
    ? ''
    : counted / sum('redis') < 1.5
      ? ', one Redis call per response'
      : `, ${fmt(counted / sum('redis'), 0)} responses per Redis call`;
  return `limiter: Redis ${percent(sum('redis'), counted)} · lease ${percent(sum('lease'), counted)}${memory}${perCall}`;
}

function redisSection({ topologies, scenarios, redisResults, run, median }) {
  const reference = topologies.find((topology) => topology.id === 'single') ?? topologies[0];
  const lines = [
    '## Reads on a single Redis, a Sentinel group and a Redis Cluster',
    '',
    `Each topology is the bench's own, on free loopback ports, started by the scale tests' starters (\`test/support/private-redis*.ts\`): ` +
      topologies.map((topology) => `**${topology.id}** = ${topology.label}`).join('; ') +
      '. Nothing is persisted (no RDB, no AOF). Each topology has its own Strata (and, for the L2 row, a second one) on its own database; ' +
      `the rounds run every read against every topology in turn, the order rotating each round. Medians of ${run.ROUNDS} rounds of ${run.ROUND_S} s ` +
      `(after ${run.WARMUP_S} s of warm-up each); "vs ${reference.id}" is the median of the per-round ratios to the ${reference.id} row of the same read.`,
    '',
    '- **cached read (L1)**: `GET /api/v1/pages/{id}` (1.4 KB of JSON) with the admin key, whose tier is unlimited (not counted): served from the in-process L1 cache.',
    '- **cached read from Redis (L2)**: the same read from a Strata started with `CACHE_L1_MAX_BYTES=1024`, which cannot hold the page in L1: every read is one GET of the entry in Redis.',
    `- **rate-limited read, ${run.LIMITED_KEYS} keys of a 999/min tier**: the cached read, each request with the next of ${run.LIMITED_KEYS} keys of a tier of ${run.SMALL_TIER.perMinute} per minute. ` +
      'Tiers under 1 000 per minute are never leased, so every request runs the rate-limit script in Redis (one round trip); the keys share the load so none reaches its limit (any 429 fails the run).',
    '- **rate-limited read, 1 key of a 10⁹/min tier (leased)**: the cached read with one key of a tier of 10⁹ per minute: a busy key of a tier of at least 1 000 per minute is counted from leases of quota ' +
      '(at most 1 % of the limit, spendable for 5 s), one Redis call per lease, the rest in process. This is what one busy client of a large tier sees.',
    '',
    '"Strata CPU" is the server process\'s CPU per response (/proc); "Redis CPU" is the CPU of every process of the topology (masters, replicas, Sentinels: `INFO cpu`) per response, ' +
      'which includes replication to the replicas and the background work of its idle Strata. "Writes" are Strata\'s write system calls per response (/proc/<pid>/io: ' +
      'the response itself, and every socket write to Redis or PostgreSQL), which do not change with how loaded the machine is. "Served" is from Strata\'s own counters (`/metrics`) over the measured rounds.',
    '',
    `| read | Redis | req/s | vs ${reference.id} | p50 ms | p99 ms | Strata CPU µs / response | Redis CPU µs / response | writes / response | served | req/s of each round |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const scenario of scenarios) {
    const byTopology = redisResults.get(scenario.id);
    const referenceRounds = byTopology.get(reference.id);
    for (const topology of topologies) {
      const rounds = byTopology.get(topology.id);
      const of = (field) => median(rounds.map((round) => round[field]));
      const ratio = median(rounds.map((round, index) => round.rps / referenceRounds[index].rps));
      lines.push(
        `| ${scenario.label} | ${topology.id} | ${Math.round(of('rps')).toLocaleString('en-US')} | ${topology === reference ? '1.00' : fmt(ratio, 2)} | ` +
          `${fmt(of('p50'), 2)} | ${fmt(of('p99'), 2)} | ${fmt(of('serverCpuUs'), 0)} | ${fmt(of('redisCpuUs'), 0)} | ${fmt(of('writes'), 2)} | ${servedBy(scenario, rounds)} | ` +
          `${rounds.map((round) => Math.round(round.rps)).join(', ')} |`,
      );
    }
  }
  return lines;
}

function mediaSection({ mediaResults, run, median }) {
  const lines = [
    '## Media: local disk against an S3-protocol server',
    '',
    `The media group's load (\`lib/media-load.js\`): 4 clients, each moving one ${run.FILE_BYTES / run.MIB} MiB file per request back to back, through \`POST /api/v1/media\` ` +
      '(multipart, streamed to storage with SHA-256 on the way) and `GET /api/v1/media/{id}/file` (the whole file, no compression). ' +
      'One Strata on local disk (`MEDIA_STORAGE=local`), one on s3rver (`MEDIA_STORAGE=s3`, s3rver in its own process on this machine, storing on the same disk), ' +
      `both on the single Redis; the Redis rounds' Stratas are stopped first. Medians of ${run.MEDIA_ROUNDS} rounds of ${run.MEDIA_ROUND_S} s per side, uploads then downloads, the order of the sides alternating each round; ` +
      '"S3 / local" is the median of the per-round ratios of MiB/s.',
    '',
    '| transfer | storage | files/s | MiB/s | S3 / local | p50 ms | p99 ms | Strata CPU ms / file | s3rver CPU ms / file | MiB/s of each round |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const [transfer, byStorage] of mediaResults) {
    const local = byStorage.get('local');
    for (const [storage, rounds] of byStorage) {
      const of = (field) => median(rounds.map((round) => round[field]));
      const ratio = median(rounds.map((round, index) => round.mibPerS / local[index].mibPerS));
      lines.push(
        `| ${transfer} 8 MiB | ${storage === 's3' ? 'S3 (s3rver)' : 'local disk'} | ${fmt(of('rps'), 2)} | ${fmt(of('mibPerS'), 1)} | ${storage === 'local' ? '1.00' : fmt(ratio, 2)} | ` +
          `${fmt(of('p50'), 0)} | ${fmt(of('p99'), 0)} | ${fmt(of('strataCpuMs'), 1)} | ${storage === 's3' ? fmt(of('s3CpuMs'), 1) : '–'} | ` +
          `${rounds.map((round) => round.mibPerS.toFixed(1)).join(', ')} |`,
      );
    }
  }
  return lines;
}

/** What each row consists of, and so what limits it (the magnitudes are in the tables). */
function boundsSection({ redisResults, mediaResults }) {
  const lines = ['## What bounds each figure', ''];
  if (redisResults) {
    lines.push(
      '- **Cached read (L1)** makes no Redis call: the admin key is not counted (unlimited tier), the page comes from the in-process L1, and usage and read ' +
        "counts are batched and sent once a second. It is bounded by Strata's CPU per response and by the two cores it shares with the load generator, so " +
        "the topologies cannot differ here: the spread between them in this row is the run's noise. Its Redis CPU is the topology's background (replication " +
        "pings, Sentinel hellos, cluster-bus gossip, the idle Stratas' once-a-second flushes) spread over the responses; subtract it from the rows below to " +
        'get what a request itself costs Redis.',
      '- **Cached read from Redis (L2)** adds one GET per read (auto-pipelined: the GETs of the requests that arrive in one event-loop turn go out in one write) and decoding the entry in Strata. ' +
        "Redis spends a few µs on a GET; the round trip and the decoding are Strata's, on the same cores. On Sentinel the connection goes straight to the " +
        "master (the Sentinels are asked only on connect and after a failover), so it is the single Redis' path; on a Cluster ioredis' Cluster client " +
        'routes each command to the master of its slot.',
      '- **Rate-limited read, small tier**: one rate-limit script call per request (auto-pipelined: the calls of the requests that arrive in one ' +
        "event-loop turn go out in one write). Each topology adds copies of the work: a Sentinel group's master streams the script's writes to two " +
        "replicas that apply them; on a Cluster each key's counters live in its own slot, so one write of calls is split across the three masters, and " +
        'each master streams to its replica. That is the Redis CPU column; on this machine it comes out of the same two cores as Strata and the load ' +
        'generator, so it lowers req/s too, which Redis on its own machines would not.',
      '- **Rate-limited read, large tier (leased)**: Redis is asked once per lease (the "served" column), so the topology hardly matters and the row sits ' +
        "near the cached read, plus the key's authentication and the lease bookkeeping in process. This is what one busy client of a tier of 1 000 " +
        'per minute or more sees; many clients of small tiers together are the row above.',
    );
  }
  if (mediaResults) {
    lines.push(
      '- **Media** is bounded by moving bytes: Strata copies them and computes SHA-256 on upload; with S3, s3rver on the same cores parses a second ' +
        'HTTP hop, writes each 5 MiB part, then concatenates the parts into the object on completion (uploads) or streams the object back (downloads). ' +
        "Real S3 does that work on other machines, so the S3 rows are a floor for Strata on S3, not a forecast of S3's throughput.",
    );
  }
  return lines;
}

/** Writes the report to `file` and answers its text. */
function writeScaleReport(file, context) {
  const { settings, versions, loads } = context;
  const machine = describeMachine();
  const list = (values) => (values.length ? values.map((load) => load.toFixed(1)).join(', ') : '–');
  const lines = [
    '# Scale: Redis topologies and media storage, side by side',
    '',
    `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount}, ${machine.memoryGiB} GiB · Node ${machine.node} · autocannon ${machine.autocannon} · ` +
      `PostgreSQL ${versions.postgres} · Redis ${versions.redis} · commit ${machine.commit} · ${settings.connections} connections for the reads · Strata LOG_LEVEL=${settings.logLevel}`,
    '',
    `Load average (1 min) before the run: ${loads.before.toFixed(1)}; at the first Redis round: ${loads.redisStart?.toFixed(1) ?? '–'}; ` +
      `after each Redis round: ${list(loads.redis)}; after each media round: ${list(loads.media)}. ` +
      `The machine has ${machine.cpuCount} cores, shared by the load generator (autocannon, in the runner), every server, PostgreSQL, the Redis processes and whatever else runs: ` +
      'read the ratios within this run, not the absolute figures across runs or machines.',
    '',
    ...[
      ['the Redis rounds', loads.redisCpu, 'Stratas'],
      ['the media rounds', loads.mediaCpu, 'Stratas and s3rver'],
    ]
      .filter(([, shares]) => shares)
      .map(
        ([phase, shares, servers]) =>
          `Where the CPU went during ${phase}, in cores of ${machine.cpuCount} (from /proc and \`INFO cpu\`): the whole machine ${fmt(shares.machine, 2)}; ` +
          `this bench's load generator ${fmt(shares.generator, 2)}, its ${servers} ${fmt(shares.servers, 2)}, its Redis processes ${fmt(shares.redis, 2)}; ` +
          `everything else ${fmt(shares.rest, 2)} (PostgreSQL, and other work on the machine).\n`,
      ),
    'Run it: `npm run build && node bench/scale.js` (bench/README.md lists its variables).',
    '',
  ];
  if (context.redisResults) lines.push(...redisSection(context), '');
  if (context.mediaResults) lines.push(...mediaSection(context), '');
  lines.push(...boundsSection(context), '');
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, text);
  return text;
}

module.exports = { writeScaleReport };
