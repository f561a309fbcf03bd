// The browser tests open the console, so it is built first (esbuild: under a second), also in a
// fresh clone where `npm test` runs before any `npm run build`.
const { buildConsole } = require('../../apps/console/build');

module.exports = async () => {
  await buildConsole();
};
