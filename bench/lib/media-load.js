'use strict';

// The media load: 8 MiB uploads and downloads through the API by a few clients back to back,
// against Strata on local disk or on an S3-protocol server (s3rver in its own process). Used by
// the media group (scenarios/media.js) and by the side-by-side scale bench (scale.js).
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { createHistogram } = require('node:perf_hooks');
const { startChildServer } = require('./child-server');

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

/** s3rver in its own process (not in the load generator's), with the bench bucket. */
function startS3rver() {
  return startChildServer({ name: 's3rver', script: join(__dirname, '..', 'servers', 's3rver.js'), env: { BUCKET }, readyPath: '/' });
}

/** Strata's variables for media on `storage` ('local' or 's3'; `s3` is the started s3rver). */
function mediaEnv(storage, s3) {
  const env = { ADMIN_API_KEY: ADMIN_KEY, MEDIA_MAX_BYTES: String(2 * FILE_BYTES) };
  if (storage === 's3') {
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
  return env;
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

/** Uploads one file to download afterwards; answers its id (throws unless 201). */
async function uploadForDownloads(baseUrl) {
  const uploaded = await upload(baseUrl);
  if (uploaded.status !== 201) throw new Error(`the upload before the downloads answered ${uploaded.status}: ${uploaded.body.slice(0, 300)}`);
  return JSON.parse(uploaded.body).id;
}

/** One whole download of media `id`; answers the status (a short 200 body throws). */
async function download(baseUrl, id) {
  const response = await fetch(`${baseUrl}/api/v1/media/${id}/file`, { headers: { ...AUTH, 'accept-encoding': 'identity' } });
  const bytes = await response.arrayBuffer();
  if (response.status === 200 && bytes.byteLength !== FILE_BYTES) throw new Error(`short body: ${bytes.byteLength} bytes`);
  return response.status;
}

/** CLIENTS loops, each sending `request` back to back for `durationS`; MiB/s from the bytes moved. */
async function driveClients(durationS, request) {
  const latencyUs = createHistogram();
  const statusCodes = {};
  let errors = 0;
  const startedAt = performance.now();
  const deadline = Date.now() + durationS * 1000;
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

module.exports = { FILE_BYTES, MIB, CLIENTS, startS3rver, mediaEnv, upload, uploadForDownloads, download, driveClients };
