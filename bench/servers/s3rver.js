'use strict';

// An S3-protocol server (s3rver, the maintained fork) in its own process on PORT, storing in a
// fresh temporary directory, with BUCKET created: the media bench's S3 side. Its account is
// S3RVER / S3RVER; signatures are not compared (s3rver canonicalises bucket paths differently
// from the current AWS SDK), access keys are.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const S3rver = require('@20minutes/s3rver');

const directory = mkdtempSync(join(tmpdir(), 'strata-bench-s3-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.PORT),
  silent: true,
  directory,
  allowMismatchedSignatures: true,
  configureBuckets: [{ name: process.env.BUCKET || 'bench-media' }],
});
server.run().then(() => console.log(`s3rver listening on ${process.env.PORT}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  });
}
