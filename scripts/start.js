// `npm start`: builds only when the sources changed since the last build (an incremental tsc),
// then runs dist/apps/main with signals passed on (see app-process.js).
const path = require('node:path');
const { runAppForwardingSignals } = require('./app-process');
const { build, buildState, root, stopBuild } = require('./build-state');

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

async function main() {
  const state = buildState();
  if (state === 'current') console.error('dist is up to date with the sources: starting without a build');
  else {
    console.error(state === 'missing' ? 'building dist (first build: about half a minute)…' : 'sources changed: rebuilding dist…');
    // A signal during the build stops the compiler too, and nothing starts after it.
    let stoppedBy;
    const stop = (signal) => {
      stoppedBy = signal;
      stopBuild(signal);
    };
    for (const signal of SIGNALS) process.on(signal, stop);
    try {
      await build({ clean: state === 'missing' });
    } catch (error) {
      if (!stoppedBy) console.error(error.message);
      process.exit(stoppedBy ? 0 : 1);
    }
    for (const signal of SIGNALS) process.off(signal, stop);
    if (stoppedBy) process.exit(0);
  }
  runAppForwardingSignals(path.join(root, 'dist/apps/main.js'), process.argv.slice(2));
}

void main();
