// `npm run dev`: tsc in watch mode (through tsc-watch); after each successful compile the
// imports are rewritten (tsc-alias) and the app restarts. The old process is stopped and
// awaited before the new one starts, so the port and any embedded PostgreSQL/Redis it started
// are free again (tsc-watch's own --onSuccess would start the new one without waiting).
const path = require('node:path');
const { TscWatchClient } = require('tsc-watch/client');
const { startApp } = require('./app-process');
const { buildConsole } = require('../apps/console/build');
const { currentSources, finishBuild, root } = require('./build-state');

const entry = path.join(root, 'dist/apps/main.js');
const watcher = new TscWatchClient();
let app;
let restarting = Promise.resolve();
let stopping = false;

function restart() {
  restarting = restarting.then(async () => {
    if (stopping) return;
    try {
      // The console is bundled again with each restart (under a second); its own edits alone do not restart.
      await buildConsole();
      await finishBuild(currentSources());
    } catch (error) {
      console.error(`[dev] ${error.message}; keeping the running app`);
      return;
    }
    if (app) {
      console.error('[dev] sources changed: restarting');
      await app.stop('SIGTERM');
    }
    if (!stopping) app = startApp(entry, process.argv.slice(2));
  });
}

watcher.on('success', restart);
watcher.on('compile_errors', () => console.error('[dev] compile errors: the running app (if any) is the last good build'));
watcher.start('-p', 'tsconfig.build.json', '--preserveWatchOutput', '--noClear');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    watcher.kill();
    void restarting.then(() => app?.stop(signal)).then(() => process.exit(0));
  });
}
