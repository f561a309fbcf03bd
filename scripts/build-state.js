// What `npm start` needs to know before it runs dist: is the build current with the sources?
// A stamp in dist records a fingerprint (path, size, mtime) of every file the build reads;
// anything edited, added or removed changes it. Reading ~500 stats takes milliseconds, where a
// full `tsc` takes half a minute.
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp.json');
const SOURCE_DIRS = ['apps', 'libs', 'migrations'];
const { buildConsole, isConsoleSource } = require('../apps/console/build');

const isBuildInput = (name) => (name.endsWith('.ts') && !name.endsWith('.spec.ts')) || name.endsWith('.json') || isConsoleSource(name);

function sourceFiles() {
  const files = fs.readdirSync(root).filter((name) => /^tsconfig.*\.json$/.test(name) || name === 'package.json' || name === 'package-lock.json');
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(relative);
      } else if (isBuildInput(entry.name)) files.push(relative);
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return files.sort();
}

function currentSources() {
  const files = sourceFiles();
  const hash = createHash('sha256');
  for (const file of files) {
    const stat = fs.statSync(path.join(root, file));
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return { files, fingerprint: hash.digest('hex') };
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** 'current', 'changed' (an incremental build will do) or 'missing' (build from scratch). */
function buildState(sources = currentSources()) {
  const stamp = readStamp();
  if (!stamp || !fs.existsSync(path.join(dist, 'apps', 'main.js'))) return 'missing';
  // A removed or renamed source would leave its old output behind: start again from scratch.
  if (stamp.files.join('\n') !== sources.files.join('\n')) return 'missing';
  const consoleBuilt = fs.existsSync(path.join(dist, 'console', 'index.html'));
  return stamp.fingerprint === sources.fingerprint && consoleBuilt ? 'current' : 'changed';
}

/** The compiler (or tsc-alias) while it runs, so that a signal stops it along with the launcher. */
let running;

function run(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve(script, { paths: [root] }), ...args], { cwd: root, stdio: 'inherit' });
    running = child;
    child.once('exit', (code, signal) => {
      running = undefined;
      if (code === 0) resolve();
      else reject(new Error(`${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/** Passes a signal to the build step under way, if any. */
function stopBuild(signal) {
  running?.kill(signal);
}

/** Rewrites the `@strata/*` imports in dist and records the sources it was built from. */
async function finishBuild(sources) {
  await run('tsc-alias/dist/bin/index.js', ['-p', 'tsconfig.build.json']);
  fs.writeFileSync(stampFile, JSON.stringify(sources));
}

/**
 * Compiles apps, libs and migrations into dist, and bundles the console (apps/console) into
 * dist/console. `clean`: from an empty dist; otherwise incremental (tsc reuses
 * dist/.tsbuildinfo and re-emits only what changed; the console takes under a second anyway).
 */
async function build({ clean }) {
  // Fingerprinted before compiling: a file saved during the build makes the next start build again.
  const sources = currentSources();
  if (clean) fs.rmSync(dist, { recursive: true, force: true });
  await run('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  await buildConsole();
  await finishBuild(sources);
}

module.exports = { build, buildState, currentSources, finishBuild, root, stopBuild };
