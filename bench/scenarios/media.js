'use strict';

const { startStrata } = require('../lib/strata');
const { CLIENTS, FILE_BYTES, MIB, download, driveClients, mediaEnv, startS3rver, upload, uploadForDownloads } = require('../lib/media-load');

function strataOn(ctx, storage) {
  return ctx.shared(`strata-${storage}`, async () => {
    const s3 = storage === 's3' ? await ctx.shared('s3rver', startS3rver) : undefined;
    return startStrata(ctx.settings, { env: mediaEnv(storage, s3), name: `Strata (${storage} media)` });
  });
}

const throughput = new Map();
function uploadScenario(storage) {
  const name = `upload 8 MiB, ${storage === 's3' ? 'S3 (s3rver)' : 'local disk'}`;
  return {
    name,
    async drive(ctx) {
      const api = await strataOn(ctx, storage);
      const result = await driveClients(ctx.settings.durationS, async () => (await upload(api.url)).status);
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
      const id = await uploadForDownloads(api.url);
      const result = await driveClients(ctx.settings.durationS, () => download(api.url, id));
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
