'use strict';

const { randomBytes } = require('node:crypto');
const { createHistogram } = require('node:perf_hooks');
const { join } = require('node:path');
const { startChildServer } = require('../lib/child-server');
const { startStrata } = require('../lib/strata');

const FILE_BYTES = 8 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Clients uploading or downloading at once: each request moves 8 MiB, so few are enough to saturate. */
const CLIENTS = 4;
const BUCKET = 'bench-media';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ADMIN_KEY = 'sk_' + Array.from(randomBytes(40), (byte) => BASE62[byte % 62]).join('');
const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };

/** One multipart body with an 8 MiB file, built once and sent by every upload. */
const boundary = `strata-bench-${randomBytes(8).toString('hex')}`;
const uploadBody = Buffer.concat([
  Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
  randomBytes(FILE_BYTES),
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);

function s3Server(ctx) {
  return ctx.shared('s3rver', () =>
    startChildServer({ name: 's3rver', script: join(__dirname, '..', 'servers', 's3rver.js'), env: { BUCKET }, readyPath: '/' }),
  );
}

function strataOn(ctx, storage) {
  return ctx.shared(`strata-${storage}`, async () => {
    const env = { ADMIN_API_KEY: ADMIN_KEY, MEDIA_MAX_BYTES: String(2 * FILE_BYTES) };
    if (storage === 's3') {
      const s3 = await s3Server(ctx);
      Object.assign(env, {
        MEDIA_STORAGE: 's3',
        S3_BUCKET: BUCKET,
        S3_ENDPOINT: s3.url,
        S3_FORCE_PATH_STYLE: 'true',
        S3_PREFIX: 'bench',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      });
    }
    return startStrata(ctx.settings, { env, name: `Strata (${storage} media)` });
  });
}

async function upload(baseUrl) {
  const response = await fetch(`${baseUrl}/api/v1/media`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: uploadBody,
  });
  const text = await response.text();
  return { status: response.status, body: text };
}

/** CLIENTS loops, each sending `request` back to back for the run's duration; MiB/s from the bytes moved. */
async function drive(ctx, request) {
  const latencyUs = createHistogram();
  const statusCodes = {};
  let errors = 0;
  const startedAt = performance.now();
  const deadline = Date.now() + ctx.settings.durationS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const sent = performance.now();
        try {
          const status = await request();
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          latencyUs.record(Math.max(1, Math.round((performance.now() - sent) * 1000)));
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - startedAt) / 1000;
  const requests = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    rps: requests / elapsedS,
    p50: latencyUs.percentile(50) / 1000,
    p99: latencyUs.percentile(99) / 1000,
    requests,
    errors,
    timeouts: 0,
    non2xx: requests - ok,
    statusCodes,
    mibPerS: (ok * FILE_BYTES) / MIB / elapsedS,
  };
}

const throughput = new Map();
function uploadScenario(storage) {
  const name = `upload 8 MiB, ${storage === 's3' ? 'S3 (s3rver)' : 'local disk'}`;
  return {
    name,
    async drive(ctx) {
      const api = await strataOn(ctx, storage);
      const result = await drive(ctx, async () => (await upload(api.url)).status);
      throughput.set(name, result.mibPerS);
      return result;
    },
    findings: async () => [`${throughput.get(name).toFixed(1)} MiB/s through the API`],
  };
}

function downloadScenario(storage) {
  const name = `download 8 MiB, ${storage === 's3' ? 'S3 (s3rver)' : 'local disk'}`;
  return {
    name,
    async drive(ctx) {
      const api = await strataOn(ctx, storage);
      const uploaded = await upload(api.url);
      if (uploaded.status !== 201) throw new Error(`the upload before the downloads answered ${uploaded.status}: ${uploaded.body.slice(0, 300)}`);
      const { id } = JSON.parse(uploaded.body);
      const result = await drive(ctx, async () => {
        const response = await fetch(`${api.url}/api/v1/media/${id}/file`, { headers: { ...AUTH, 'accept-encoding': 'identity' } });
        const bytes = await response.arrayBuffer();
        if (response.status === 200 && bytes.byteLength !== FILE_BYTES) throw new Error(`short body: ${bytes.byteLength} bytes`);
        return response.status;
      });
      throughput.set(name, result.mibPerS);
      return result;
    },
    findings: async () => [`${throughput.get(name).toFixed(1)} MiB/s through the API`],
  };
}

module.exports = {
  name: 'media',
  description:
    `Media upload and download through the API, ${CLIENTS} clients each moving one ${FILE_BYTES / MIB} MiB file per request back to back: ` +
    'local disk (MEDIA_STORAGE=local) and an S3-protocol server (MEDIA_STORAGE=s3 against s3rver, in its own process on this machine, storing on the same disk). ' +
    'Uploads are multipart/form-data, streamed to storage with SHA-256 computed on the way; downloads stream the whole file back (no compression: application/octet-stream). ' +
    "req/s counts files; the findings give MiB/s. The S3 side adds an HTTP hop and s3rver's own work (it writes each part, then concatenates them on completion), so it is a floor for real S3, not a forecast.",
  scenarios: [uploadScenario('local'), uploadScenario('s3'), downloadScenario('local'), downloadScenario('s3')],
};
