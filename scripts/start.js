// `npm start`: builds only when the sources changed since the last build (an incremental tsc),
// then runs dist/apps/main with signals passed on (see app-process.js).
const path = require('node:path');
const { runAppForwardingSignals } = require('./app-process');
const { build, buildState, root } = require('./build-state');

const state = buildState();
try {
  if (state === 'current') console.error('dist is up to date with the sources: starting without a build');
  else {
    console.error(state === 'missing' ? 'building dist (first build: about half a minute)…' : 'sources changed: rebuilding dist…');
    build({ clean: state === 'missing' });
  }
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
runAppForwardingSignals(path.join(root, 'dist/apps/main.js'), process.argv.slice(2));
