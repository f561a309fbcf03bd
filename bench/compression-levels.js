'use strict';

// `node bench/compression-levels.js`: how long each brotli quality and gzip level takes on the
// bodies Strata compresses (a page as the cache bench creates it, and a list of 20 of them),
// and how small it gets them. The levels in libs/cache/src/compressed-representations.ts were
// chosen from this table; bench/results/compression-levels.md holds the last run.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const zlib = require('node:zlib');
const { describeMachine } = require('./lib/machine');

const PAGE_BODY = Array.from(
  { length: 6 },
  (_, index) => `Paragraph ${index + 1}. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.`,
).join('\n');
const page = (index) => ({
  id: `0193a7b2-1c3d-7e4f-8a9b-${String(index).padStart(12, '0')}`,
  slug: `page-${index}`,
  title: `Page ${index}`,
  body: PAGE_BODY,
  status: 'draft',
  tags: [],
  metadata: {},
  version: 1,
  createdAt: '2026-12-05T12:00:00.000Z',
  updatedAt: '2026-12-05T12:00:00.000Z',
});
const BODIES = {
  'one page': Buffer.from(JSON.stringify(page(1))),
  'list of 20 pages': Buffer.from(JSON.stringify({ data: Array.from({ length: 20 }, (_, index) => page(index)), nextCursor: 'eyJpZCI6IjAxOTMifQ' })),
};
const CODINGS = [
  ...[1, 4, 5, 6, 9, 11].map((quality) => ({
    name: `br ${quality}`,
    compress: (body) =>
      zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  })),
  ...[1, 6, 9].map((level) => ({ name: `gzip ${level}`, compress: (body) => zlib.gzipSync(body, { level }) })),
];

/** Median µs of `runs` calls, after a few unmeasured ones. */
function medianMicros(compress, body, runs) {
  for (let index = 0; index < 5; index++) compress(body);
  const times = [];
  for (let index = 0; index < runs; index++) {
    const start = process.hrtime.bigint();
    compress(body);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const lines = [];
for (const [label, body] of Object.entries(BODIES)) {
  lines.push(
    `\n### ${label} (${body.length.toLocaleString('en-US')} bytes of JSON)\n`,
    '| coding | bytes | % of JSON | median µs |',
    '| --- | ---: | ---: | ---: |',
  );
  for (const coding of CODINGS) {
    const size = coding.compress(body).length;
    const micros = medianMicros(coding.compress, body, coding.name === 'br 9' || coding.name === 'br 11' ? 30 : 300);
    lines.push(`| ${coding.name} | ${size} | ${((size / body.length) * 100).toFixed(1)} % | ${micros.toFixed(0)} |`);
  }
}
const machine = describeMachine();
const report = [
  '# Compression levels',
  '',
  `${new Date().toISOString()} · ${machine.cpuModel} × ${machine.cpuCount} · Node ${machine.node} · commit ${machine.commit}`,
  '',
  'Time (median of synchronous calls in one process) and size per coding for the bodies cached reads send. A representation is compressed once per version and process, so the level only needs to be cheap enough for a busy write path: brotli quality 9 and above costs milliseconds per body for a few bytes.',
  ...lines,
  '',
].join('\n');
writeFileSync(join(__dirname, 'results', 'compression-levels.md'), report);
console.log(report);
