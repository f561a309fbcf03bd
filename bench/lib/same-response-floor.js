'use strict';

const { rm, writeFile } = require('node:fs/promises');
const { get: httpGet } = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startChildServer } = require('./child-server');

/** Status, headers and the body bytes exactly as sent (fetch would decompress them). */
function recordRawResponse(url, headers) {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) return reject(new Error(`recording ${url} answered ${response.statusCode}`));
        const skipped = ['connection', 'keep-alive', 'date', 'content-length', 'transfer-encoding'];
        resolve({
          status: response.statusCode,
          headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => !skipped.includes(name))),
          bodyBase64: Buffer.concat(chunks).toString('base64'),
        });
      });
    }).on('error', reject);
  });
}

/**
 * The floor under a Strata read: records Strata's answer to `url` with `headers` (raw: a
 * compressed body stays compressed), then starts bare Fastify (servers/fastify-same-response.js)
 * sending exactly that, from memory, with nothing computed per request. `stop()` ends it.
 */
async function startSameResponseFloor(url, headers, name) {
  const recorded = await recordRawResponse(url, headers);
  const file = join(tmpdir(), `strata-bench-response-${process.pid}-${Date.now().toString(36)}.json`);
  await writeFile(file, JSON.stringify(recorded));
  try {
    // The server has read the file once it listens.
    return await startChildServer({ name, script: join(__dirname, '..', 'servers', 'fastify-same-response.js'), readyPath: '/', env: { RESPONSE_FILE: file } });
  } finally {
    await rm(file, { force: true });
  }
}

module.exports = { startSameResponseFloor };
